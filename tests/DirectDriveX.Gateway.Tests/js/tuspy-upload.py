"""tuspy (Debian python3-tuspy) against the gateway's tus endpoint; run by Interop/TuspyTests.cs.

    python3 tuspy-upload.py MODE BASE_URL SIZE
MODE: upload (1 MiB PATCHes, each with Upload-Checksum sha1) | resume (two chunks, then a new uploader resumes from the
upload URL alone). Prints one JSON line: {url, size, sha256, resumedFrom}.
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
else:
    sys.exit('unknown mode ' + mode)

report['url'] = uploader.url
report['offset'] = uploader.offset
print(json.dumps(report))
