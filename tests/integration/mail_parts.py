#!/usr/bin/python3
"""Reads an e-mail as an SMTP server received it (the DATA lines, dot-stuffed as sent) with
Python's own MIME parser (the standard library's `email`, independent of the Poco code that
wrote it) and prints its parts as JSON: {"<content type>": "<decoded text>", ...}, line breaks as \\n."""
import email
import email.policy
import json
import sys

with open(sys.argv[1], "rb") as f:
    lines = f.read().split(b"\n")
# RFC 5321 4.5.2: a line of the message that starts with "." was sent with one more.
raw = b"\r\n".join(line[1:] if line.startswith(b"..") else line for line in lines)
message = email.message_from_bytes(raw, policy=email.policy.default)
parts = {}
for part in message.walk():
    if part.is_multipart():
        continue
    # Mail carries line breaks as CRLF; the builders write "\n", as mail programs show them.
    parts[part.get_content_type()] = part.get_content().replace("\r\n", "\n")
json.dump(parts, sys.stdout)
