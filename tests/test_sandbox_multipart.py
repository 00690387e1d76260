"""multipart/form-data and PHP bracket parameters, read as kaltura/server reads them.

The official Python client uploads as multipart (a ``json`` field plus file parts);
other clients and HTML forms send plain fields, often with ``filter[idEqual]`` names.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import requests
from conftest import make_client
from KalturaClient.Base import KalturaParams
from KalturaClient.Plugins.Core import KalturaUser
from lxml import etree

from kproducer.sandbox import api
from kproducer.sandbox.form import MEMORY_FILE_BYTES, php_nest


def _xml(response: requests.Response) -> etree._Element:
    assert response.status_code == 200
    return etree.fromstring(response.content)


@pytest.fixture
def probe():
    """An extra action that reports what its call saw of the file parts (Context.files)."""
    seen: list[dict] = []

    @api.action("sandboxprobe", "files", access=api.Access.NONE)
    def files(ctx: api.Context) -> str:
        for name, upload in ctx.files.items():
            data = upload.file.read()
            path = getattr(upload.file, "name", None)
            seen.append({
                "param": name, "filename": upload.filename, "type": upload.content_type,
                "size": upload.size, "sha": hashlib.sha256(data).hexdigest(),
                "path": path if isinstance(path, str) else None,
            })
        return str(len(ctx.files))

    yield seen
    api.ACTIONS.pop(("sandboxprobe", "files"))


def test_the_official_client_multipart_upload_is_read(info, probe, tmp_path):
    content = os.urandom(3 * MEMORY_FILE_BYTES + 17)
    upload = tmp_path / "clip.mp4"
    upload.write_bytes(content)
    client = make_client(info)
    with upload.open("rb") as handle:
        files = {"fileData": handle}
        client.queueServiceActionCall("sandboxprobe", "files", None, KalturaParams(), files)
        result = client.doQueue()
    assert result.text == "1"
    [seen] = probe
    assert seen["param"] == "fileData" and seen["filename"] == "clip.mp4"
    assert seen["size"] == len(content)
    assert seen["sha"] == hashlib.sha256(content).hexdigest()
    # a large part went to a temporary file, and that file is gone once answered
    assert seen["path"] and not Path(seen["path"]).exists()


def test_the_official_client_json_field_carries_the_parameters(info, tmp_path, unique):
    """A real call with a file attached: its parameters come from the ``json`` field."""
    client = make_client(info)
    uid = unique("mp")
    client.user.add(KalturaUser(id=uid, firstName="Multi"))
    attachment = tmp_path / "note.txt"
    attachment.write_bytes(b"hello")
    with attachment.open("rb") as handle:
        params = KalturaParams()
        params.addStringIfDefined("userId", uid)
        files = {"extra": handle}
        client.queueServiceActionCall("user", "get", "KalturaUser", params, files)
        answer = client.doQueue()
    assert answer.find("id").text == uid and answer.find("firstName").text == "Multi"


def test_plain_multipart_fields_with_brackets_filter_a_list(info, unique):
    client = make_client(info)
    uid = unique("br")
    client.user.add(KalturaUser(id=uid))
    response = requests.post(
        f"{info.service_url}/api_v3/service/user/action/list",
        data={"ks": client.getKs(), "filter[idEqual]": uid, "filter:objectType": "KalturaUserFilter"},
        files={"unused": ("a.bin", b"\0\1", "application/octet-stream")},
        timeout=10,
    )
    root = _xml(response)
    assert root.findtext("result/totalCount") == "1"
    assert [e.text for e in root.findall("result/objects/item/id")] == [uid]


@pytest.mark.parametrize("where", ["body", "query"])
def test_urlencoded_and_query_brackets_filter_a_list(info, unique, where):
    client = make_client(info)
    uid = unique("q")
    client.user.add(KalturaUser(id=uid))
    fields = {"ks": client.getKs(), "filter[idEqual]": uid, "pager[pageSize]": "5"}
    url = f"{info.service_url}/api_v3/service/user/action/list"
    if where == "body":
        response = requests.post(url, data=fields, timeout=10)
    else:
        response = requests.get(url, params=fields, timeout=10)
    assert [e.text for e in _xml(response).findall("result/objects/item/id")] == [uid]


@pytest.mark.allow_warning_logs("python_multipart.multipart", r"Expected boundary")
def test_an_unreadable_multipart_body_reads_as_no_parameters(info):
    response = requests.post(
        f"{info.service_url}/api_v3/service/user/action/list",
        data=b"--nope\r\nnot a part",
        headers={"Content-Type": "multipart/form-data; boundary=other"},
        timeout=10,
    )
    root = _xml(response)
    assert root.findtext("result/error/code") == "SERVICE_FORBIDDEN"  # no ks reached it


def test_a_chunked_multipart_body_is_refused_with_411(info):
    def chunks():
        yield b"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--b--\r\n"

    response = requests.post(
        f"{info.service_url}/api_v3/service/user/action/list",
        data=chunks(),
        headers={"Content-Type": "multipart/form-data; boundary=b"},
        timeout=10,
    )
    assert response.status_code == 411 and "Content-Length" in response.json()["error"]


def test_php_nesting_rules():
    nested = php_nest([
        ("filter[idEqual]", "a"), ("filter[advancedSearch][type]", "1"), ("list[]", "x"),
        ("list[]", "y"), ("a.b c", "1"), ("odd[x", "2"), ("filter[idEqual]", "b"),
    ])
    assert nested == {
        "filter": {"idEqual": "b", "advancedSearch": {"type": "1"}},
        "list": {"0": "x", "1": "y"},
        "a_b_c": "1",
        "odd_x": "2",
    }
