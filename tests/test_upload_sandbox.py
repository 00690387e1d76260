"""The sandbox's uploadToken, media.addContent, thumbAsset and media URLs, driven by the
official KalturaClient over HTTP, as kaltura/server behaves (kUploadTokenMgr.php,
UploadTokenService.php, MediaService.php, ThumbAssetService.php).
"""

from __future__ import annotations

import hashlib
import io
import struct
import time
import zlib
from pathlib import Path

import pytest
import requests
from conftest import make_client, make_ks
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import (
    KalturaAssetFilter,
    KalturaBaseEntryFilter,
    KalturaMediaEntry,
    KalturaMediaType,
    KalturaThumbAsset,
    KalturaUploadedFileTokenResource,
    KalturaUploadToken,
    KalturaUploadTokenFilter,
)
from upload_support import conversion_seconds, make_mp4

PENDING, PARTIAL, FULL, CLOSED, DELETED = 0, 1, 2, 3, 5
MB = 1024 * 1024


def _status(obj) -> int:
    return int(getattr(obj.status, "value", obj.status))


class Named(io.BytesIO):
    """Bytes with a file name, as a file object the client can send."""

    def __init__(self, data: bytes, name: str = "clip.mp4") -> None:
        super().__init__(data)
        self.name = name


def _code(excinfo) -> str:
    return excinfo.value.code


@pytest.fixture
def client(info):
    return make_client(info)


@pytest.fixture
def quick(info):
    conversion_seconds(info, 0)
    yield
    conversion_seconds(info, 3)


def _wait_status(client, entry_id: str, wanted: set[int], timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        entry = client.baseEntry.get(entry_id)
        if _status(entry) in wanted or time.monotonic() > deadline:
            return entry
        time.sleep(0.1)


def test_the_official_client_upload_call_works_unchanged(client, tmp_path):
    video = make_mp4(tmp_path / "talk.mp4", 61.0, 2 * MB + 123)
    token = client.uploadToken.add(KalturaUploadToken())
    assert _status(token) == PENDING and token.uploadedFileSize is None
    with video.open("rb") as handle:
        # exactly the client's own signature: (uploadTokenId, fileData, resume, finalChunk,
        # resumeAt)
        done = client.uploadToken.upload(token.id, handle, False, True, -1)
    assert _status(done) == FULL
    assert int(done.uploadedFileSize) == video.stat().st_size
    assert done.fileName == "talk.mp4"
    again = client.uploadToken.get(token.id)
    assert _status(again) == FULL and again.userId


def test_chunks_out_of_order_are_reassembled_as_the_server_does(client, quick, tmp_path):
    data = make_mp4(tmp_path / "parts.mp4", 42.0, 3 * MB).read_bytes()
    third = len(data) // 3
    parts = [data[:third], data[third:2 * third], data[2 * third:]]
    token = client.uploadToken.add(KalturaUploadToken())
    first = client.uploadToken.upload(token.id, Named(parts[0]), False, False)
    assert _status(first) == PARTIAL and int(first.uploadedFileSize) == third
    # a later chunk arrives first: kept aside, the assembled file does not grow
    ahead = client.uploadToken.upload(token.id, Named(parts[2][:MB]), True, False, 2 * third)
    assert int(ahead.uploadedFileSize) == third
    # the missing one lands, and the one waiting is appended after it
    middle = client.uploadToken.upload(token.id, Named(parts[1]), True, False, third)
    assert int(middle.uploadedFileSize) == 2 * third + MB
    # a chunk sent again (its answer was lost) changes nothing
    again = client.uploadToken.upload(token.id, Named(parts[1]), True, False, third)
    assert int(again.uploadedFileSize) == 2 * third + MB
    final = client.uploadToken.upload(token.id, Named(parts[2][MB:]), True, True,
                                      2 * third + MB)
    assert _status(final) == FULL and int(final.uploadedFileSize) == len(data)
    entry = client.media.add(KalturaMediaEntry(name="Reassembled",
                                               mediaType=KalturaMediaType.VIDEO))
    client.media.addContent(entry.id, KalturaUploadedFileTokenResource(token=token.id))
    ready = _wait_status(client, entry.id, {2, -1})
    assert _status(ready) == 2 and ready.duration == 42
    assert requests.get(ready.downloadUrl, timeout=10).content == data


def test_a_final_chunk_that_does_not_complete_the_file_is_refused(client):
    token = client.uploadToken.add(KalturaUploadToken())
    client.uploadToken.upload(token.id, Named(b"a" * 1000), False, False)
    # bytes 1000..2000 never came: the final chunk at 2000 cannot make the expected size
    with pytest.raises(KalturaException) as refused:
        client.uploadToken.upload(token.id, Named(b"c" * 500), True, True, 2000)
    assert _code(refused) == "INTERNAL_SERVERL_ERROR"  # unmapped kUploadTokenException
    assert _status(client.uploadToken.get(token.id)) == PARTIAL


def test_token_errors_as_the_server_gives_them(client):
    with pytest.raises(KalturaException) as missing:
        client.uploadToken.get("0_" + "f" * 32)
    assert _code(missing) == "UPLOAD_TOKEN_NOT_FOUND"
    token = client.uploadToken.add(KalturaUploadToken())
    with pytest.raises(KalturaException) as no_file:
        client.uploadToken.upload(token.id, Named(b"x" * 10), True, False, 0)
    assert _code(no_file) == "UPLOAD_TOKEN_CANNOT_RESUME"
    client.uploadToken.upload(token.id, Named(b"x" * 10), False, True)
    with pytest.raises(KalturaException) as used:
        client.uploadToken.upload(token.id, Named(b"y" * 10), False, True)
    assert _code(used) == "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD"
    client.uploadToken.delete(token.id)
    assert _status(client.uploadToken.get(token.id)) == DELETED
    with pytest.raises(KalturaException) as deleted:
        client.uploadToken.upload(token.id, Named(b"z" * 10), False, True)
    assert _code(deleted) == "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD"
    with pytest.raises(KalturaException) as auto:
        client.uploadToken.add(KalturaUploadToken(autoFinalize=1))
    assert _code(auto) == "UPLOAD_TOKEN_MISSING_FILE_SIZE"


def test_a_user_session_sees_only_its_own_tokens(info, client):
    mine = make_client(info, make_ks(info, user_id="uploader-a", session_type=0))
    other = make_client(info, make_ks(info, user_id="uploader-b", session_type=0))
    token = mine.uploadToken.add(KalturaUploadToken(fileName="a.mp4"))
    with pytest.raises(KalturaException) as hidden:
        other.uploadToken.get(token.id)
    assert _code(hidden) == "UPLOAD_TOKEN_NOT_FOUND"
    listed = mine.uploadToken.list(KalturaUploadTokenFilter(idEqual=token.id))
    assert [t.id for t in listed.objects] == [token.id]
    assert other.uploadToken.list(KalturaUploadTokenFilter(idEqual=token.id)).totalCount == 0
    assert client.uploadToken.list(KalturaUploadTokenFilter(idEqual=token.id)).totalCount == 1


def _uploaded(client, data: bytes, name: str = "clip.mp4") -> str:
    token = client.uploadToken.add(KalturaUploadToken())
    client.uploadToken.upload(token.id, Named(data, name), False, True)
    return token.id


def test_a_video_becomes_ready_with_its_real_duration_and_urls_that_answer(client, quick, tmp_path):
    video = make_mp4(tmp_path / "keynote.mp4", 754.5, MB)
    token = _uploaded(client, video.read_bytes(), "keynote.mp4")
    entry = client.media.add(KalturaMediaEntry(name="Keynote replay",
                                               mediaType=KalturaMediaType.VIDEO))
    assert _status(entry) == 7  # NO_CONTENT
    attached = client.media.addContent(entry.id, KalturaUploadedFileTokenResource(token=token))
    assert _status(attached) in (1, 2)  # PRECONVERT, then READY once its time has come
    assert _status(client.uploadToken.get(token)) == CLOSED
    ready = _wait_status(client, entry.id, {2})
    assert _status(ready) == 2
    assert ready.duration == 755 and ready.msDuration == 754500  # PHP round(): halves up
    assert ready.thumbnailUrl.startswith("http://127.0.0.1:")
    assert "/p/" in ready.thumbnailUrl and "/sp/" in ready.thumbnailUrl
    assert "/thumbnail/entry_id/" in ready.thumbnailUrl and "/version/" in ready.thumbnailUrl
    image = requests.get(f"{ready.thumbnailUrl}/width/320/height/180", timeout=10)
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/png"
    assert struct.unpack(">II", image.content[16:24]) == (320, 180)
    zlib.decompress(image.content[41:-12])  # a whole PNG: the pixel data inflates
    download = requests.get(ready.downloadUrl, timeout=10)
    assert download.status_code == 200
    assert hashlib.sha256(download.content).digest() == hashlib.sha256(video.read_bytes()).digest()
    assert requests.get(ready.dataUrl, timeout=10).status_code == 200
    with pytest.raises(KalturaException) as twice:
        client.media.addContent(entry.id, KalturaUploadedFileTokenResource(token=token))
    assert _code(twice) == "ENTRY_ALREADY_WITH_CONTENT"


def test_a_file_that_is_not_a_video_fails_conversion(client, quick):
    token = _uploaded(client, b"these are the speaker's notes, not a video\n" * 100, "notes.txt")
    entry = client.media.add(KalturaMediaEntry(name="Not a video",
                                               mediaType=KalturaMediaType.VIDEO))
    client.media.addContent(entry.id, KalturaUploadedFileTokenResource(token=token))
    failed = _wait_status(client, entry.id, {-1, 2})
    assert _status(failed) == -1  # ERROR_CONVERTING
    assert requests.get(failed.downloadUrl, timeout=10).status_code == 404


def test_content_added_before_the_last_chunk_converts_when_it_lands(client, quick, tmp_path):
    video = make_mp4(tmp_path / "early.mp4", 30.0, 2 * MB).read_bytes()
    token = client.uploadToken.add(KalturaUploadToken())
    client.uploadToken.upload(token.id, Named(video[:MB]), False, False)
    entry = client.media.add(KalturaMediaEntry(name="Early", mediaType=KalturaMediaType.VIDEO))
    waiting = client.media.addContent(entry.id, KalturaUploadedFileTokenResource(token=token.id))
    assert _status(waiting) == 0  # IMPORT: waiting for the file
    attached = client.uploadToken.get(token.id)
    assert attached.attachedObjectType == "entry" and attached.attachedObjectId == entry.id
    client.uploadToken.upload(token.id, Named(video[MB:]), True, True, MB)
    ready = _wait_status(client, entry.id, {2, -1})
    assert _status(ready) == 2 and ready.duration == 30


def test_add_content_refusals(client):
    entry = client.media.add(KalturaMediaEntry(name="x", mediaType=KalturaMediaType.VIDEO))
    with pytest.raises(KalturaException) as missing_token:
        client.media.addContent(entry.id, KalturaUploadedFileTokenResource(token="0_" + "e" * 32))
    assert _code(missing_token) == "UPLOAD_TOKEN_NOT_FOUND"
    with pytest.raises(KalturaException) as no_entry:
        client.media.addContent("0_zzzzzzzz", KalturaUploadedFileTokenResource(token="t"))
    assert _code(no_entry) == "ENTRY_ID_NOT_FOUND"


def _png(width: int, height: int) -> bytes:
    raw = b"".join(b"\x00" + b"\x10\x80\xf0" * width for _ in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_thumb_assets_set_the_entry_thumbnail(client, quick, tmp_path):
    video = make_mp4(tmp_path / "t.mp4", 10.0, MB)
    token = _uploaded(client, video.read_bytes())
    entry = client.media.add(KalturaMediaEntry(name="With a picture",
                                               mediaType=KalturaMediaType.VIDEO))
    client.media.addContent(entry.id, KalturaUploadedFileTokenResource(token=token))
    before = _wait_status(client, entry.id, {2})
    image = _png(64, 48)
    asset = client.thumbAsset.addFromImage(entry.id, Named(image, "poster.png"))
    assert _status(asset) == 2 and (asset.width, asset.height) == (64, 48)
    client.thumbAsset.setAsDefault(asset.id)
    after = client.baseEntry.get(entry.id)
    assert after.thumbnailUrl != before.thumbnailUrl  # the version moved on
    served = requests.get(after.thumbnailUrl, timeout=10)
    assert served.status_code == 200 and served.content == image
    listed = client.thumbAsset.list(KalturaAssetFilter(entryIdEqual=entry.id))
    assert [a.id for a in listed.objects] == [asset.id]
    assert "default_thumb" in client.thumbAsset.get(asset.id).tags
    with pytest.raises(KalturaException) as is_default:
        client.thumbAsset.delete(asset.id)
    assert _code(is_default) == "THUMB_ASSET_IS_DEFAULT"
    # add + setContent from an uploaded-file token; then it can become the default
    second = client.thumbAsset.add(entry.id, KalturaThumbAsset())
    assert _status(second) == 0  # QUEUED
    image_token = _uploaded(client, _png(32, 32), "second.png")
    filled = client.thumbAsset.setContent(
        second.id, KalturaUploadedFileTokenResource(token=image_token))
    assert _status(filled) == 2 and filled.width == 32
    client.thumbAsset.setAsDefault(second.id)
    client.thumbAsset.delete(asset.id)  # no longer the default
    remaining = client.thumbAsset.list(KalturaAssetFilter(entryIdEqual=entry.id))
    assert [a.id for a in remaining.objects] == [second.id]
    with pytest.raises(KalturaException) as not_image:
        client.thumbAsset.addFromImage(entry.id, Named(b"MZ\x90", "tool.exe"))
    assert _code(not_image) == "FILE_CONTENT_NOT_SECURE"


def test_conversion_time_follows_the_sandbox_clock(info, client, tmp_path):
    conversion_seconds(info, 600)
    try:
        token = _uploaded(client, make_mp4(tmp_path / "slow.mp4", 5.0, MB).read_bytes())
        entry = client.media.add(KalturaMediaEntry(name="Slow", mediaType=KalturaMediaType.VIDEO))
        client.media.addContent(entry.id, KalturaUploadedFileTokenResource(token=token))
        assert _status(client.baseEntry.get(entry.id)) == 1
        requests.post(f"{info.service_url}/_sandbox/clock", json={"offset_s": 601}, timeout=5)
        assert _status(client.baseEntry.get(entry.id)) == 2
    finally:
        requests.post(f"{info.service_url}/_sandbox/clock", json={"offset_s": 0}, timeout=5)
        conversion_seconds(info, 3)


def test_conversion_control_refuses_bad_input(info):
    bad = requests.post(f"{info.service_url}/_sandbox/conversion", json={"seconds": -1},
                        timeout=5)
    assert bad.status_code == 400 and "seconds" in bad.json()["error"]


def test_uploaded_bytes_live_under_the_sandbox_data_dir(sandbox, client):
    token = client.uploadToken.add(KalturaUploadToken())
    client.uploadToken.upload(token.id, Named(b"k" * 100), False, False)
    folder = Path(sandbox.db.path).parent / "media" / "uploads"
    stored = folder / f"{token.id}.upload"
    assert stored.read_bytes() == b"k" * 100
    assert stored.stat().st_mode & 0o077 == 0
    client.uploadToken.delete(token.id)
    assert not stored.exists()


def test_entry_lists_find_uploads_by_words_name_and_ids(client, quick, tmp_path):
    token = _uploaded(client, make_mp4(tmp_path / "w.mp4", 8.0, MB).read_bytes())
    entry = client.media.add(KalturaMediaEntry(
        name="Quarterly town hall", description="with the finance team",
        mediaType=KalturaMediaType.VIDEO))
    client.media.addContent(entry.id, KalturaUploadedFileTokenResource(token=token))
    _wait_status(client, entry.id, {2})
    statuses = "-2,-1,0,1,2,4,5,6,7"
    by_word = client.baseEntry.list(KalturaBaseEntryFilter(freeText="finance",
                                                           statusIn=statuses))
    assert entry.id in [e.id for e in by_word.objects]
    by_name = client.baseEntry.list(KalturaBaseEntryFilter(nameLike="town hall",
                                                           statusIn=statuses))
    assert [e.id for e in by_name.objects] == [entry.id]
    by_ids = client.baseEntry.list(KalturaBaseEntryFilter(idIn=f"{entry.id},0_nothere1"))
    assert [e.id for e in by_ids.objects] == [entry.id]


def test_resume_without_resume_at_appends_and_resume_false_starts_over(client):
    token = client.uploadToken.add(KalturaUploadToken())
    client.uploadToken.upload(token.id, Named(b"a" * 100), False, False)
    appended = client.uploadToken.upload(token.id, Named(b"b" * 50), True, False, -1)
    assert int(appended.uploadedFileSize) == 150
    # resume=false: the part becomes the token's file, whatever was there before
    replaced = client.uploadToken.upload(token.id, Named(b"c" * 30), False, False)
    assert int(replaced.uploadedFileSize) == 30
    # an empty non-final chunk past the start is dismissed: the token comes back as it was
    empty = client.uploadToken.upload(token.id, Named(b""), True, False, 30)
    assert int(empty.uploadedFileSize) == 30 and _status(empty) == PARTIAL
