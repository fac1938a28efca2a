"""Reads CPIM pieces the way python3-sipsimple's CPIMPayload.decode does, with the same regular
expressions, Python's email parser and dateutil, for cpim-differential.test.ts. Input on stdin and output
on stdout are JSON: {"headers": [...], "ns": [...], "identities": [...], "mime": [...], "datetimes": [...]}."""
import json
import re
import sys
from email.parser import Parser

from dateutil import parser as dateparser

HEADERS = re.compile(r'(?:([^:]+?)\.)?(.+?):\s*(.+?)(?:\r\n|$)')
NAMESPACE = re.compile(r'^(?:(\S+) ?)?<(.*)>$')
IDENTITY = re.compile(r'^(?:"?(?P<display_name>[^<]*[^"\s])"?)?\s*<(?P<uri>sips?:.+)>$')


def ns(value):
    match = NAMESPACE.match(value)
    return None if match is None else list(match.groups())


def identity(value):
    match = IDENTITY.match(value)
    return None if match is None else [match.group('display_name'), match.group('uri')]


def mime(text):
    message = Parser().parsestr(text)
    content_type = message.get_content_type()
    payload = message.get_payload()
    if content_type == 'message/imdn+xml':
        payload = payload[0].get_payload()
    if not isinstance(payload, str):
        payload = None
    return [content_type, message.get_content_charset(), payload]


def datetime(text):
    try:
        return dateparser.parse(text).isoformat()
    except (ValueError, OverflowError):
        return None


cases = json.load(sys.stdin)
json.dump(
    {
        'headers': [[list(t) for t in HEADERS.findall(block)] for block in cases['headers']],
        'ns': [ns(v) for v in cases['ns']],
        'identities': [identity(v) for v in cases['identities']],
        'mime': [mime(t) for t in cases['mime']],
        'datetimes': [datetime(t) for t in cases['datetimes']],
    },
    sys.stdout,
)
