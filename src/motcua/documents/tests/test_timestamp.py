"""PAdES B-T (issue 7 §2): with ``MOTCUA_TSA_URL`` set, signatures carry an RFC 3161 timestamp
token from that authority. The authority here is a local one of the tests' own, answering the
real protocol over HTTP (``application/timestamp-query`` in, ``application/timestamp-reply``
out); a remote one is configured the same way."""

from __future__ import annotations

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from pyhanko.sign.timestamps import DummyTimeStamper

from motcua.documents import pki
from motcua.documents.signing import configured_timestamper, pkcs12_signer, sign_pdf
from motcua.documents.tests.samples import PERSONAL
from motcua.documents.verification import verify_pdf

TSA_TIME = dt.datetime(2026, 3, 10, 3, 15, tzinfo=dt.UTC)


@pytest.fixture
def tsa(keys):
    """A time-stamping authority on 127.0.0.1 under the tests' demo root; yields its URL and
    the requests it answered."""
    root, _leader, _seal = keys
    authority = pki.issue_tsa(root)
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(authority.certificate.public_bytes(Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            authority.key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
        ),
        fixed_dt=TSA_TIME,
    )
    answered: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            answered.append(self.headers["Content-Type"])
            reply = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", answered
    server.shutdown()
    server.server_close()


def test_signatures_carry_the_authoritys_timestamp(keys, tsa, document, settings):
    root, leader, _seal = keys
    url, answered = tsa
    settings.MOTCUA_TSA_URL = url
    timestamper = configured_timestamper()
    assert timestamper is not None
    signed = sign_pdf(
        document,
        pkcs12_signer(leader.pkcs12("leader"), pki.DEV_PASSPHRASE),
        field="ca-nhan",
        appearance=PERSONAL,
        box=(300, 60, 540, 140),
        timestamper=timestamper,
    )
    assert answered and all(kind == "application/timestamp-query" for kind in answered)
    [check] = verify_pdf(signed, trust=[root.certificate.public_bytes(Encoding.DER)]).signatures
    assert check.ok and check.timestamped
    assert check.signed_at == TSA_TIME  # the authority's time, not the signer's claim


def test_without_an_authority_signatures_are_b_b(settings):
    settings.MOTCUA_TSA_URL = ""
    assert configured_timestamper() is None
