"""tuspy (Debian python3-tuspy) against the gateway's tus endpoint; run by Interop/TuspyTests.cs.

    python3 tuspy-upload.py MODE BASE_URL SIZE
MODE: upload (1 MiB PATCHes, each with Upload-Checksum sha1) | resume (two chunks, then a new uploader resumes from the
upload URL alone) | fingerprint (one chunk, then a new uploader finds the URL in its FileStorage by the file's fingerprint).
(No empty mode: tuspy 1.0 creates an upload only when it sends a chunk, so for an empty file it sends nothing at all.) Prints one JSON line: {url, size, sha256, resumedFrom}.
"""
import hashlib
import io
import json
import os
import sys

from tusclient import client

mode, base, size = sys.argv[1], sys.argv[2].rstrip('/'), int(sys.argv[3])
data = os.urandom(size)
chunk = 1024 * 1024
tus = client.TusClient(base + '/files/')
metadata = {'filename': 'tuspy-%s.bin' % mode, 'filetype': 'application/x-tuspy'}
report = {'mode': mode, 'size': size, 'sha256': hashlib.sha256(data).hexdigest(), 'resumedFrom': 0}

if mode == 'upload':
    uploader = tus.uploader(file_stream=io.BytesIO(data), chunk_size=chunk, metadata=metadata, upload_checksum=True)
    uploader.upload()
elif mode == 'resume':
    first = tus.uploader(file_stream=io.BytesIO(data), chunk_size=chunk, metadata=metadata)
    first.upload_chunk()
    first.upload_chunk()
    stored_url = first.url
    del first  # the program "restarts": only the upload URL survives
    uploader = tus.uploader(file_stream=io.BytesIO(data), chunk_size=chunk, url=stored_url)
    report['resumedFrom'] = uploader.offset
    uploader.upload()
elif mode == 'fingerprint':
    # Resume by fingerprint: the URL is kept in tuspy's FileStorage; a second uploader of the same bytes finds it there.
    import tempfile
    from tusclient.storage import filestorage
    with tempfile.TemporaryDirectory() as directory:
        storage = filestorage.FileStorage(os.path.join(directory, 'urls.json'))
        path = os.path.join(directory, 'data.bin')  # a path: tuspy closes a given stream after fingerprinting it
        with open(path, 'wb') as f:
            f.write(data)
        first = tus.uploader(file_path=path, chunk_size=chunk, metadata=metadata, store_url=True, url_storage=storage)
        first.upload_chunk()
        report['firstUrl'] = first.url
        del first
        uploader = tus.uploader(file_path=path, chunk_size=chunk, metadata=metadata, store_url=True, url_storage=storage)
        report['resumedFrom'] = uploader.offset
        uploader.upload()
        storage.close()
else:
    sys.exit('unknown mode ' + mode)

report['url'] = uploader.url
report['offset'] = uploader.offset
print(json.dumps(report))
