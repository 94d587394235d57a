"""The two halves of make-corpus.sh: plan the distinct encodes, then derive the corpus from them.

plan BASES          prints one shell command per distinct image (run in parallel by the script)
derive BASES OUT N  writes N files under OUT: variants of the bases, exact copies, non-images, symlinks
"""
import os
import random
import struct
import sys
import zlib

DISTINCT = 320
FORMATS = ["png", "jpg", "webp", "gif"]


def size_class(i):
    # a few large bases (MiB), more medium ones, most of them small: the shape of a photo folder
    if i % 32 < 4:
        return "large"
    if i % 3 == 0:
        return "medium"
    return "small"


def plan(bases):
    rng = random.Random(13)
    for i in range(DISTINCT):
        fmt = FORMATS[i % 4]
        cls = size_class(i)
        side = {"small": rng.randint(48, 160), "medium": rng.randint(200, 420), "large": rng.randint(900, 1500)}[cls]
        w, h = side, int(side * rng.uniform(0.6, 1.4))
        # noise keeps large files large (it does not compress); plasma gives photo-like small ones
        source = f"-size {w}x{h} xc: +noise Random" if cls == "large" else f"-seed {i} -size {w}x{h} plasma:fractal"
        target = os.path.join(bases, f"{i:04d}.{fmt}")
        if fmt == "webp":
            png = target + ".png"
            xmp = target + ".xmp"
            # webpmux turns the simple format into the extended one, whose XMP chunk the variants rewrite
            print(f"convert {source} {png} && cwebp -quiet -q 80 {png} -o {target}.raw && "
                  f"printf '<x:xmpmeta>base {i}</x:xmpmeta>' > {xmp} && webpmux -set xmp {xmp} {target}.raw -o {target} >/dev/null 2>&1 && "
                  f"rm -f {png} {xmp} {target}.raw")
        elif fmt == "gif":
            print(f"convert {source} -colors 256 {target}")
        elif fmt == "jpg":
            print(f"convert {source} -quality 88 {target}")
        else:
            print(f"convert {source} -depth 8 {target}")


def png_variant(data, text):
    # a tEXt chunk right after IHDR (8-byte signature + 25-byte IHDR chunk)
    payload = b"Comment\x00" + text
    chunk = struct.pack(">I", len(payload)) + b"tEXt" + payload + struct.pack(">I", zlib.crc32(b"tEXt" + payload))
    return data[:33] + chunk + data[33:]


def jpeg_variant(data, text):
    # a COM segment right after SOI
    return data[:2] + b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text + data[2:]


def gif_variant(data, text):
    # a comment extension just before the trailer byte
    assert data[-1:] == b";"
    return data[:-1] + b"\x21\xfe" + bytes([len(text)]) + text + b"\x00;"


def webp_variant(data, text):
    # rewrite the XMP chunk of the extended format; sizes are little-endian, chunks padded to even
    chunks, pos = [], 12
    while pos < len(data):
        fourcc, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = data[pos + 8:pos + 8 + size]
        if fourcc == b"XMP ":
            body = b"<x:xmpmeta>" + text + b"</x:xmpmeta>"
        chunks.append(fourcc + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) % 2 else b""))
        pos += 8 + size + (size % 2)
    payload = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(payload)) + payload


VARIANTS = {"png": png_variant, "jpg": jpeg_variant, "gif": gif_variant, "webp": webp_variant}


def derive(bases, out, count):
    rng = random.Random(2024)
    names = sorted(n for n in os.listdir(bases) if n.rsplit(".", 1)[-1] in VARIANTS)
    base = {n: open(os.path.join(bases, n), "rb").read() for n in names}
    by_class = {c: [n for n in names if size_class(int(n[:4])) == c] for c in ("small", "medium", "large")}
    written, total, kinds = [], 0, {"variant": 0, "copy": 0, "non-image": 0, "symlink": 0}
    os.makedirs(out)
    for j in range(count):
        folder = os.path.join(out, f"album-{j // 400:03d}", f"roll-{(j // 40) % 10}")
        os.makedirs(folder, exist_ok=True)
        roll = rng.random()
        if roll < 0.04:
            path = os.path.join(folder, f"notes-{j % 50}.txt")
            body = (f"not an image {j}\n" * rng.randint(1, 4000)).encode()
            kinds["non-image"] += 1
        elif roll < 0.06 and written:
            target = rng.choice(written)
            path = os.path.join(folder, f"link-{j}" + os.path.splitext(target)[1])
            os.symlink(os.path.relpath(target, folder), path)
            kinds["symlink"] += 1
            continue
        elif roll < 0.26 and written:
            source = rng.choice(written)
            path = os.path.join(folder, os.path.basename(source))
            if os.path.exists(path):
                path = os.path.join(folder, f"copy-{j}-" + os.path.basename(source))
            body = open(source, "rb").read()
            kinds["copy"] += 1
        else:
            pick = rng.random()
            cls = "large" if pick < 0.015 else "medium" if pick < 0.26 else "small"
            name = rng.choice(by_class[cls])
            fmt = name.rsplit(".", 1)[1]
            # names repeat across folders: "photo-17.png" exists in many albums with other bytes
            path = os.path.join(folder, f"photo-{j % 97}.{fmt}")
            if os.path.exists(path):
                path = os.path.join(folder, f"photo-{j}.{fmt}")
            body = VARIANTS[fmt](base[name], f"variant {j} of {name}".encode())
            kinds["variant"] += 1
        with open(path, "wb") as f:
            f.write(body)
        if not path.endswith(".txt"):
            written.append(path)
        total += len(body)
    # a folder link and a loop: the walk must take each folder once and end
    for folder in ("album-000", "album-001", os.path.join("album-002", "roll-0")):
        os.makedirs(os.path.join(out, folder), exist_ok=True)
    os.symlink("../album-001", os.path.join(out, "album-000", "see-also"))
    os.symlink("..", os.path.join(out, "album-002", "roll-0", "loop"))
    print(f"make-corpus.sh: {count} entries in {out}: {kinds}, {total / 2**20:.0f} MiB written", file=sys.stderr)


if __name__ == "__main__":
    if sys.argv[1] == "plan":
        plan(sys.argv[2])
    else:
        derive(sys.argv[2], sys.argv[3], int(sys.argv[4]))
