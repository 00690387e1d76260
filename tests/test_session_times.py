"""Times on the command line, and the masking of live stream credentials in any text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kproducer.kaltura.errors import InvalidInput
from kproducer.local.redact import SECRET_MASK, redact
from kproducer.services import encoder_file, times
from kproducer.services.live import MASK, EncoderKit


def test_a_time_without_a_zone_is_local():
    expected = datetime(2027, 3, 15, 17, 0).astimezone()
    assert times.parse_time("2027-03-15T17:00") == int(expected.timestamp())
    assert times.parse_time("2027-03-15 17:00") == int(expected.timestamp())


def test_z_and_offsets_are_taken_as_given():
    moment = datetime(2027, 3, 15, 16, 0, tzinfo=UTC)
    assert times.parse_time("2027-03-15T16:00Z") == int(moment.timestamp())
    assert times.parse_time("2027-03-15T17:00+01:00") == int(moment.timestamp())
    assert times.iso_utc(int(moment.timestamp())) == "2027-03-15T16:00:00Z"


@pytest.mark.parametrize("text", ["", "tomorrow", "2027-13-01T10:00", "15/03/2027 17:00"])
def test_anything_else_is_one_sentence(text):
    with pytest.raises(InvalidInput, match="is not an ISO 8601 time"):
        times.parse_time(text, "start time")


def test_local_text_names_the_zone():
    stamp = times.parse_time("2027-03-15T17:00")
    assert times.local_text(stamp).startswith("2027-03-15 17:00 ")
    assert times.local_text(stamp).split()[-1] == datetime.fromtimestamp(stamp).astimezone(
        ).strftime("%Z")


def test_stream_credentials_in_an_answer_are_masked_before_they_are_known():
    answer = ("<streamPassword>k3yk3y</streamPassword><srtPass>pa55phrase</srtPass>"
              "<primaryBroadcastingUrl>rtmp://1.live/kLive?t=k3yk3y</primaryBroadcastingUrl>"
              "<primarySrtStreamId>#:::e=1_abcdefgh,st=0,p=k3yk3y</primarySrtStreamId>"
              "<secondarySrtStreamId>#:::e=1_abcdefgh,st=1,ep=c1pher</secondarySrtStreamId>")
    masked = redact(answer)
    for secret in ("k3yk3y", "pa55phrase", "c1pher"):
        assert secret not in masked
    assert masked.count(SECRET_MASK) == 5
    assert "e=1_abcdefgh,st=0" in masked  # the rest stays readable


def kit() -> EncoderKit:
    return EncoderKit("1_abcdefgh", rtmp_url="rtmp://h/kLive?t=k3yk3y1",
                      rtmps_url="rtmps://h:443/kLive?t=k3yk3y1", stream_name="1_abcdefgh_%i",
                      stream_key="k3yk3y1", srt_stream_id="#:::e=1_abcdefgh,st=0,p=k3yk3y1",
                      srt_passphrase="pa55phrase")


def test_a_masked_kit_shows_no_credential_anywhere():
    masked = kit().masked()
    assert "k3yk3y1" not in repr(masked) and "pa55phrase" not in repr(masked)
    assert masked.rtmp_url == f"rtmp://h/kLive?t={MASK}"
    assert masked.as_json(True)["stream_key"] is None


def test_the_obs_form_and_the_sheet():
    import json

    service = json.loads(encoder_file.obs_service(kit()))
    assert service == {"type": "rtmp_custom", "settings": {
        "server": "rtmps://h:443/kLive?t=k3yk3y1", "key": "1_abcdefgh_1", "use_auth": False,
        "bwtest": False}}
    sheet = encoder_file.sheet(kit(), "Keynote")
    assert "1_abcdefgh_2" in sheet and "pa55phrase" in sheet and "Keep this file private" in sheet
