// Starts s3rver with one change: it never removes directories.
//
// s3rver keeps each object as files under directories named after the key's segments and, when
// the last object of a directory is deleted, removes the directory. A PUT into that directory at
// the same moment then fails to open its file and the unhandled ENOENT crashes the whole server;
// a listing walking into it answers 500. ImageDedup's keys share shard directories
// (sha256/ab/cd/...), so concurrent uploads and deletions of one image hit this constantly.
// Real S3 has no directories at all, so keeping empty ones changes nothing a client can see.
const fs = require('fs-extra');

fs.rmdir = async () => {};

require('s3rver/bin/s3rver.js');
