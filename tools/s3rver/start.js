// Starts s3rver with two changes that make its file-system store behave like S3 where ImageDedup's
// tests depend on it. Real S3 has neither problem, so nothing a client may rely on changes.
//
// 1. It never removes directories. s3rver keeps each object as files under directories named after
//    the key's segments and, when the last object of a directory is deleted, removes the directory.
//    A PUT into that directory at the same moment then fails to open its file and the unhandled
//    ENOENT crashes the whole server; a listing walking into it answers 500. ImageDedup's keys share
//    shard directories (sha256/ab/cd/...), so concurrent uploads and deletions of one image hit
//    this constantly.
//
// 2. A PUT replaces an object atomically, and writes of one key are serialised. s3rver writes the
//    content in place, then the MD5 and metadata files, and answers before the content is flushed:
//    two PUTs of one key at once could leave one's content beside the other's MD5 for good, so every
//    later GET failed the client's checksum check (concurrent first claims of a blob-store location,
//    about 1 run in 7). Here the content is staged beside the object and renamed into place, and a
//    PUT, COPY or DELETE of a key waits for the one before it; a GET reads the metadata and opens
//    the content between two writes, so what it serves matches its ETag.
const crypto = require('crypto');
const path = require('path');
const { Readable, Transform } = require('stream');
const { pipeline } = require('stream/promises');
const fs = require('fs-extra');
const FilesystemStore = require('s3rver/lib/stores/filesystem');
const S3Object = require('s3rver/lib/models/object');

fs.rmdir = async () => {};

const queues = new Map();

/** Runs work after every earlier work on the same key has settled. */
function exclusive(bucket, key, work) {
  const id = `${bucket}\0${key}`;
  const run = (queues.get(id) || Promise.resolve()).then(work);
  const settled = run.then(() => {}, () => {});
  queues.set(id, settled);
  settled.then(() => {
    if (queues.get(id) === settled) queues.delete(id);
  });
  return run;
}

/** Writes a file whole or not at all: readers see the old content or the new, never a part. */
async function replaceFile(target, data) {
  const staged = `${target}.${crypto.randomUUID()}.staging`;
  try {
    await fs.writeFile(staged, data);
    await fs.rename(staged, target);
  } finally {
    await fs.remove(staged);
  }
}

const store = FilesystemStore.prototype;
const { getObject, deleteObject, copyObject } = store;

store.putMetadata = async function putMetadata(bucket, key, metadata, md5) {
  // The metadata s3rver keeps, as its own putMetadata picks it.
  const json = Object.fromEntries(
    Object.entries(metadata).filter(([name]) => S3Object.ALLOWED_METADATA.includes(name) || name.startsWith('x-amz-meta-')),
  );
  if (md5) await replaceFile(this.getResourcePath(bucket, key, 'object.md5'), md5);
  await replaceFile(this.getResourcePath(bucket, key, 'metadata.json'), JSON.stringify(json, null, 2));
};

store.putObject = async function putObject(object) {
  const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
  await fs.mkdirp(path.dirname(objectPath));
  // Not a name s3rver lists: its listings take only files ending in "._S3rver_object".
  const staged = `${objectPath}.${crypto.randomUUID()}.staging`;
  const md5 = crypto.createHash('md5');
  let size = 0;
  try {
    const source = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
    await pipeline(
      source,
      new Transform({
        transform(chunk, encoding, callback) {
          md5.update(chunk);
          size += chunk.length;
          callback(null, chunk);
        },
      }),
      fs.createWriteStream(staged),
    );
    const digest = md5.digest('hex');
    await exclusive(object.bucket, object.key, async () => {
      await fs.rename(staged, objectPath);
      await this.putMetadata(object.bucket, object.key, object.metadata, digest);
    });
    return { size, md5: digest };
  } finally {
    await fs.remove(staged);
  }
};

store.getObject = function (bucket, key, options) {
  return exclusive(bucket, key, () => getObject.call(this, bucket, key, options));
};

store.deleteObject = function (bucket, key) {
  return exclusive(bucket, key, () => deleteObject.call(this, bucket, key));
};

store.copyObject = function (srcBucket, srcKey, destBucket, destKey, replacementMetadata) {
  return exclusive(destBucket, destKey, () => copyObject.call(this, srcBucket, srcKey, destBucket, destKey, replacementMetadata));
};

require('s3rver/bin/s3rver.js');
