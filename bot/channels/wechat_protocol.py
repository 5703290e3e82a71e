"""The WeChat Official Account message protocol: signatures, safe-mode decryption and XML parsing.

Pure functions and one small class, no I/O, so every rule here is tested directly. WeChat's documents:
"Access overview" (URL verification), "Receiving standard messages", "Receiving event pushes" and
"Message encryption and decryption" (safe mode).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import struct
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from typing import Dict, Optional

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring

MAX_BODY_BYTES = 64 * 1024  # real messages are a few hundred bytes; the encrypted ones a few KB
PKCS7_BLOCK_BYTES = 32  # WeChat pads to 32-byte blocks, not AES's 16
RANDOM_PREFIX_BYTES = 16
ENCODING_AES_KEY_LENGTH = 43

# WeChat never sends a document type declaration. Refusing these markers before parsing is the cheap
# first check; defusedxml's parser (which refuses DTDs, entities and external references itself) is
# the second.
_FORBIDDEN_XML = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class RejectedMessage(ValueError):
    """The request body is not a well-formed, acceptable WeChat message."""


def signature(*parts: str) -> str:
    """WeChat's signature: SHA-1 hex digest of the parts sorted and concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def signature_matches(given: Optional[str], *parts: str) -> bool:
    """True when `given` is the signature of `parts`, compared in constant time."""
    if not given:
        return False
    return hmac.compare_digest(given.strip().lower().encode("ascii", "replace"),
                               signature(*parts).encode("ascii"))


def parse_xml(body: bytes) -> Dict[str, str]:
    """The child elements of a WeChat `<xml>` document as a dict of tag → text.

    Refuses bodies that are too large, not UTF-8, or carry a document type or entity declaration, before
    any XML parser sees them.
    """
    if len(body) > MAX_BODY_BYTES:
        raise RejectedMessage("body too large")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise RejectedMessage("body is not UTF-8") from None
    if _FORBIDDEN_XML.search(text):
        raise RejectedMessage("document type or entity declarations are not accepted")
    try:
        root = safe_fromstring(text, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException):
        raise RejectedMessage("malformed XML") from None
    if root.tag != "xml":
        raise RejectedMessage("root element is not <xml>")
    return {child.tag: (child.text or "") for child in root}


@dataclass(frozen=True)
class InboundMessage:
    """The fields of a WeChat message or event push that the assistant uses."""

    openid: str  # FromUserName: the user, unique per Official Account
    msg_type: str  # text, image, voice, event, ...
    create_time: str
    content: str = ""  # text messages; the speech recognition result of voice messages
    msg_id: str = ""  # messages only; events have none
    event: str = ""  # events only: subscribe, unsubscribe, CLICK, ...

    @property
    def dedup_key(self) -> str:
        """What identifies a retried delivery: MsgId for messages, sender and time for events."""
        return f"msg:{self.msg_id}" if self.msg_id else f"event:{self.openid}:{self.create_time}"

    @classmethod
    def from_fields(cls, fields: Dict[str, str]) -> "InboundMessage":
        openid = fields.get("FromUserName", "").strip()
        msg_type = fields.get("MsgType", "").strip()
        if not openid or not msg_type:
            raise RejectedMessage("FromUserName or MsgType missing")
        content = fields.get("Content", "")
        if msg_type == "voice":
            content = fields.get("Recognition", "")
        return cls(
            openid=openid,
            msg_type=msg_type,
            create_time=fields.get("CreateTime", "").strip(),
            content=content,
            msg_id=fields.get("MsgId", "").strip(),
            event=fields.get("Event", "").strip(),
        )


class MessageCipher:
    """Decrypts safe-mode messages: AES-256-CBC, IV = first 16 key bytes, PKCS#7 padding to 32 bytes.

    The plaintext is 16 random bytes, the XML's length as 4 big-endian bytes, the XML, then the AppID.
    """

    def __init__(self, encoding_aes_key: str, app_id: str) -> None:
        if len(encoding_aes_key) != ENCODING_AES_KEY_LENGTH:
            raise ValueError("the EncodingAESKey must be 43 characters long")
        if not app_id:
            raise ValueError("the AppID is needed to check encrypted messages")
        self._key = base64.b64decode(encoding_aes_key + "=")
        self._app_id = app_id.encode("utf-8")

    def decrypt(self, encrypted: str) -> bytes:
        """The XML inside a message's `Encrypt` field; raises RejectedMessage if anything is off."""
        try:
            ciphertext = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise RejectedMessage("Encrypt is not base64") from None
        if not ciphertext or len(ciphertext) % 16:
            raise RejectedMessage("Encrypt has a bad length")
        decryptor = Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16])).decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()

        pad = padded[-1]
        if not 1 <= pad <= PKCS7_BLOCK_BYTES or padded[-pad:] != bytes([pad]) * pad:
            raise RejectedMessage("bad padding")
        plain = padded[:-pad]
        if len(plain) < RANDOM_PREFIX_BYTES + 4:
            raise RejectedMessage("decrypted message too short")
        (xml_length,) = struct.unpack(">I", plain[RANDOM_PREFIX_BYTES:RANDOM_PREFIX_BYTES + 4])
        xml_start = RANDOM_PREFIX_BYTES + 4
        xml_end = xml_start + xml_length
        if xml_end > len(plain):
            raise RejectedMessage("decrypted message length is inconsistent")
        if not hmac.compare_digest(plain[xml_end:], self._app_id):
            raise RejectedMessage("message is for another AppID")
        return plain[xml_start:xml_end]
