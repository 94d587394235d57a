// The tests drive the tool through Unix tools (script, setpriv, mkfifo) and Unix file modes.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
