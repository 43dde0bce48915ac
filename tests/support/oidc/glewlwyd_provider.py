#!/usr/bin/env python3
"""A real OpenID Connect provider for wardmap's integration tests: Debian's glewlwyd (2.7.x).

Standard library only. Everything listens on, and talks to, 127.0.0.1. See README.md beside
this file for the full story; in short:

  start      write a glewlwyd config, a fresh SQLite database and an RSA signing key into
             --dir, start glewlwyd on 127.0.0.1:--port (a free one when 0 or absent),
             configure it through its admin REST API (an OIDC plugin instance "oidc", the
             client, the users), then print ONE JSON line describing it and write the same
             JSON atomically to DIR/provider.json. Runs in the foreground until SIGTERM or
             SIGINT (or --ttl), then stops glewlwyd and exits 0. With --daemon it detaches
             instead: the command returns once the provider is ready, and `stop --dir DIR`
             ends it.
  stop       end the provider whose files are in --dir (SIGTERM, then waits; SIGKILL after
             --timeout) and make sure glewlwyd is gone.
  login      the "browser": given the authorization URL a relying party redirected to, a
             username and a password, sign the user in through glewlwyd's /api/auth, grant
             the client the requested scopes, GET the authorization URL with the session
             cookie and print the Location it redirects to (redirect_uri?code=...&state=...).
  token      exchange a code for tokens (for self-tests and debugging) and print the JSON.
  set-redirect-uris
             replace the client's redirect URIs (when the relying party's port is known only
             after the provider started).
  selftest   start -> PKCE auth URL -> login -> token -> verify the RS256 ID token against the
             JWKS (pure-python RSA) and its claims -> userinfo -> negative cases -> stop.

Exit codes: 0 success; 1 usage or internal error; 2 protocol or provider failure; 3 (login)
the provider redirected to the redirect_uri with an OAuth error (the Location is still printed
on stdout); 4 (login) the username/password were refused.
"""
import argparse
import base64
import ctypes
import gzip
import hashlib
import http.client
import json
import os
import secrets
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

GLEWLWYD = os.environ.get("GLEWLWYD_BIN", "/usr/bin/glewlwyd")
SCHEMA_CANDIDATES = [
    "/usr/share/dbconfig-common/data/glewlwyd/install/sqlite3",
    "/usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz",
    "/usr/share/doc/glewlwyd/database/init.sqlite3.sql",
]
MODULE_DIR = "/usr/lib/glewlwyd"
PLUGIN_NAME = "oidc"
SCOPES = ["openid", "email", "profile"]
# The admin user and password that glewlwyd's own SQL schema creates; changed to a random one
# as soon as the provider is configured (the new one is in the JSON).
DEFAULT_ADMIN = ("admin", "password")
HTTP_TIMEOUT = 15.0

EXIT_OK, EXIT_USAGE, EXIT_FAIL, EXIT_OAUTH_ERROR, EXIT_BAD_CREDENTIALS = 0, 1, 2, 3, 4


class Failure(Exception):
    """A failure with a clear message and an exit code."""

    def __init__(self, message, code=EXIT_FAIL):
        super().__init__(message)
        self.code = code


def log(message):
    sys.stderr.write("glewlwyd_provider: %s\n" % message)
    sys.stderr.flush()


# --------------------------------------------------------------------------------------------
# Small HTTP client (no redirects followed, no cookie jar: glewlwyd's single session cookie is
# handled by hand, which avoids http.cookiejar's rules for IP-address hosts).
# --------------------------------------------------------------------------------------------

class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def all_headers(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except ValueError as exc:
            raise Failure("expected JSON from the provider, got HTTP %d: %r (%s)"
                          % (self.status, self.body[:300], exc))


def http_request(method, url, body=None, headers=None, timeout=HTTP_TIMEOUT):
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http":
        raise Failure("only http:// URLs on loopback are supported, got %r" % url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    try:
        hdrs = {"Connection": "close"}
        hdrs.update(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode("utf-8")
            hdrs.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode("utf-8")
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        return Response(resp.status, resp.getheaders(), data)
    finally:
        conn.close()


def session_cookie_from(resp, name="GLEWLWYD2_SESSION_ID"):
    for value in resp.all_headers("Set-Cookie"):
        first = value.split(";", 1)[0].strip()
        if first.startswith(name + "="):
            return first
    return None


class Api:
    """glewlwyd's REST API under /api, authenticated with a session cookie."""

    def __init__(self, api_base, cookie=None):
        self.api_base = api_base.rstrip("/")
        self.cookie = cookie

    def call(self, method, path, body=None, expect=(200,), headers=None):
        hdrs = dict(headers or {})
        if self.cookie:
            hdrs["Cookie"] = self.cookie
        resp = http_request(method, self.api_base + path, body=body, headers=hdrs)
        if expect and resp.status not in expect:
            raise Failure("%s %s answered HTTP %d: %s"
                          % (method, self.api_base + path, resp.status, resp.text()[:500]))
        return resp

    def sign_in(self, username, password):
        resp = self.call("POST", "/auth/", {"username": username, "password": password},
                         expect=None)
        if resp.status == 401:
            raise Failure("glewlwyd refused the password of user %r (HTTP 401)" % username,
                          EXIT_BAD_CREDENTIALS)
        if resp.status != 200:
            raise Failure("POST %s/auth/ answered HTTP %d: %s"
                          % (self.api_base, resp.status, resp.text()[:300]))
        cookie = session_cookie_from(resp)
        if not cookie:
            raise Failure("glewlwyd accepted the password but set no session cookie")
        self.cookie = cookie
        return cookie


# --------------------------------------------------------------------------------------------
# RSA in pure python: key generation (JWKS for glewlwyd) and RS256 verification.
# --------------------------------------------------------------------------------------------

_SMALL_PRIMES = [p for p in range(3, 2000) if all(p % d for d in range(2, int(p ** 0.5) + 1))]


def _probably_prime(n, rounds=24):
    for p in _SMALL_PRIMES:
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(rounds):
        a = 2 + secrets.randbelow(n - 3)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits, e):
    while True:
        candidate = secrets.randbits(bits) | (3 << (bits - 2)) | 1
        if _probably_prime(candidate) and (candidate - 1) % e != 0:
            return candidate


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_decode(text):
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def int_b64u(value):
    return b64u(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def b64u_int(text):
    return int.from_bytes(b64u_decode(text), "big")


def generate_rsa_jwk(bits=2048):
    """A private RSA JWK (RS256, kid = RFC 7638 thumbprint)."""
    e = 65537
    while True:
        p, q = _prime(bits // 2, e), _prime(bits // 2, e)
        if p != q and (p * q).bit_length() == bits:
            break
    if p < q:
        p, q = q, p
    n = p * q
    d = pow(e, -1, (p - 1) * (q - 1))
    public = {"e": int_b64u(e), "kty": "RSA", "n": int_b64u(n)}
    thumb = b64u(hashlib.sha256(json.dumps(public, separators=(",", ":"),
                                           sort_keys=True).encode()).digest())
    return {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": thumb,
            "n": int_b64u(n), "e": int_b64u(e), "d": int_b64u(d),
            "p": int_b64u(p), "q": int_b64u(q),
            "dp": int_b64u(d % (p - 1)), "dq": int_b64u(d % (q - 1)),
            "qi": int_b64u(pow(q, -1, p))}


def public_pem_from_jwk(jwk):
    """SubjectPublicKeyInfo PEM for an RSA JWK (handy for `openssl dgst -verify`)."""
    def der_len(n):
        if n < 0x80:
            return bytes([n])
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        return bytes([0x80 | len(raw)]) + raw

    def der(tag, content):
        return bytes([tag]) + der_len(len(content)) + content

    def der_int(v):
        raw = v.to_bytes((v.bit_length() + 8) // 8, "big")  # leading 0 when high bit set
        return der(0x02, raw)

    rsa_pub = der(0x30, der_int(b64u_int(jwk["n"])) + der_int(b64u_int(jwk["e"])))
    alg_id = der(0x30, bytes.fromhex("06092a864886f70d0101010500"))
    spki = der(0x30, alg_id + der(0x03, b"\x00" + rsa_pub))
    body = base64.encodebytes(spki).decode("ascii").replace("\n", "")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n"


_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def rs256_verify(signing_input, signature, n, e):
    """RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 8.2.2), constant structure check."""
    k = (n.bit_length() + 7) // 8
    if len(signature) != k:
        return False
    s = int.from_bytes(signature, "big")
    if s >= n:
        return False
    em = pow(s, e, n).to_bytes(k, "big")
    t = _SHA256_DIGEST_INFO + hashlib.sha256(signing_input).digest()
    expected = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    return secrets.compare_digest(em, expected)


def decode_jwt(token):
    parts = token.split(".")
    if len(parts) != 3:
        raise Failure("not a compact JWS: %d parts" % len(parts))
    header = json.loads(b64u_decode(parts[0]))
    claims = json.loads(b64u_decode(parts[1]))
    return header, claims, (parts[0] + "." + parts[1]).encode("ascii"), b64u_decode(parts[2])


def verify_id_token(id_token, jwks, issuer, client_id, nonce=None, now=None, leeway=120):
    """Verifies an RS256 ID token against a JWKS and the core OIDC claims; returns the claims."""
    header, claims, signing_input, signature = decode_jwt(id_token)
    if header.get("alg") != "RS256":
        raise Failure("ID token alg is %r, expected RS256" % header.get("alg"))
    keys = [k for k in jwks.get("keys", []) if k.get("kty") == "RSA"
            and (header.get("kid") is None or k.get("kid") == header.get("kid"))]
    if not keys:
        raise Failure("no RSA key in the JWKS matches kid %r" % header.get("kid"))
    if not any(rs256_verify(signing_input, signature, b64u_int(k["n"]), b64u_int(k["e"]))
               for k in keys):
        raise Failure("ID token RS256 signature does not verify against the JWKS")
    now = time.time() if now is None else now
    if claims.get("iss") != issuer:
        raise Failure("ID token iss %r != issuer %r" % (claims.get("iss"), issuer))
    aud = claims.get("aud")
    if not (aud == client_id or (isinstance(aud, list) and client_id in aud)):
        raise Failure("ID token aud %r does not contain %r" % (aud, client_id))
    if not isinstance(claims.get("exp"), int) or claims["exp"] + leeway < now:
        raise Failure("ID token expired or has no integer exp: %r" % claims.get("exp"))
    if not isinstance(claims.get("iat"), int) or claims["iat"] - leeway > now:
        raise Failure("ID token iat missing or in the future: %r" % claims.get("iat"))
    if nonce is not None and claims.get("nonce") != nonce:
        raise Failure("ID token nonce %r != %r" % (claims.get("nonce"), nonce))
    if not claims.get("sub"):
        raise Failure("ID token has no sub")
    return claims


# --------------------------------------------------------------------------------------------
# PKCE / authorization URL helpers (used by selftest; documented for the C++ side).
# --------------------------------------------------------------------------------------------

def pkce_pair():
    verifier = b64u(secrets.token_bytes(48))  # 64 chars of [A-Za-z0-9_-]
    challenge = b64u(hashlib.sha256(verifier.encode("ascii")).digest())
    return verifier, challenge


def build_auth_url(authorization_endpoint, client_id, redirect_uri, state, nonce, challenge,
                   scope="openid email profile"):
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
        "scope": scope, "state": state, "nonce": nonce,
        "code_challenge": challenge, "code_challenge_method": "S256",
    }, quote_via=urllib.parse.quote)
    return authorization_endpoint + "?" + query


# --------------------------------------------------------------------------------------------
# start / stop
# --------------------------------------------------------------------------------------------

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def load_schema_sql():
    for path in SCHEMA_CANDIDATES:
        if os.path.exists(path):
            if path.endswith(".gz"):
                with gzip.open(path, "rt", encoding="utf-8") as f:
                    return path, f.read()
            with open(path, encoding="utf-8") as f:
                return path, f.read()
    raise Failure("glewlwyd's SQLite schema was not found (looked at %s); is the Debian "
                  "package glewlwyd installed?" % ", ".join(SCHEMA_CANDIDATES))


USER_DATA_FORMAT_EXTRA = {
    # Lets users carry an "email_verified" property ("1"/"0") that the OIDC plugin maps to
    # the boolean email_verified claim (glewlwyd has no such claim of its own).
    "email_verified": {"multiple": False, "read": True, "write": True,
                       "profile-read": True, "profile-write": False},
}


def create_database(db_path):
    schema_path, sql = load_schema_sql()
    for suffix in ("", "-journal", "-wal", "-shm"):
        if os.path.exists(db_path + suffix):
            os.remove(db_path + suffix)
    conn = sqlite3.connect(db_path)
    try:
        # one transaction, no fsync: about 2 s faster than statement-by-statement commits
        conn.executescript("PRAGMA synchronous=OFF;\nBEGIN;\n" + sql + "\nCOMMIT;\n")
        row = conn.execute("SELECT gumi_parameters FROM g_user_module_instance "
                           "WHERE gumi_name='database'").fetchone()
        if row is None:
            raise Failure("schema %s created no 'database' user module instance" % schema_path)
        params = json.loads(row[0])
        params.setdefault("data-format", {}).update(USER_DATA_FORMAT_EXTRA)
        conn.execute("UPDATE g_user_module_instance SET gumi_parameters=? "
                     "WHERE gumi_name='database'", (json.dumps(params),))
        conn.commit()
    finally:
        conn.close()
    return schema_path


def glewlwyd_config(port, db_path, log_level):
    # Quirk (2.7.5): with use_secure_connection=false glewlwyd still refuses to start ("Error
    # secure connection is active but certificate is not valid") unless the three
    # secure_connection_*_file settings are present; they are never read.
    return """# generated by glewlwyd_provider.py
port=%(port)d
bind_address="127.0.0.1"
external_url="http://127.0.0.1:%(port)d"
login_url="login.html"
api_prefix="api"
allow_origin="*"
allow_methods="GET, POST, PUT, DELETE, OPTIONS"
allow_headers="Origin, X-Requested-With, Content-Type, Accept, Bearer, Authorization, DPoP"
expose_headers="Content-Encoding, Authorization"
log_mode="console"
log_level="%(log_level)s"
cookie_secure=0
cookie_same_site="empty"
session_expiration=86400
session_key="GLEWLWYD2_SESSION_ID"
admin_session_authentication="cookie"
profile_session_authentication="cookie"
allow_multiple_user_per_session=true
login_api_enabled=true
plugin_api_run_enabled=""
add_x_frame_option_header_deny=true
max_post_size=16778240
admin_scope="g_admin"
profile_scope="g_profile"
user_module_path="%(mod)s/user"
client_module_path="%(mod)s/client"
user_auth_scheme_module_path="%(mod)s/scheme"
plugin_module_path="%(mod)s/plugin"
use_secure_connection=false
secure_connection_key_file="/nonexistent/glewlwyd-test.key"
secure_connection_pem_file="/nonexistent/glewlwyd-test.pem"
secure_connection_ca_file="/nonexistent/glewlwyd-test-ca.crt"
hash_algorithm="SHA512"
database =
{
  type = "sqlite3"
  path = "%(db)s"
};
""" % {"port": port, "db": db_path, "log_level": log_level, "mod": MODULE_DIR}


def oidc_plugin_body(issuer, jwks_private, kid, require_pkce):
    return {
        "module": "oidc", "name": PLUGIN_NAME, "display_name": "wardmap test OIDC provider",
        "enabled": True, "order_rank": 0,
        "parameters": {
            "iss": issuer,
            "jwks-private": json.dumps(jwks_private), "default-kid": kid,
            "jwks-show": True, "jwks-x5c": [],
            "access-token-duration": 3600, "refresh-token-duration": 1209600,
            "code-duration": 600, "refresh-token-rolling": True,
            "refresh-token-one-use": "never",
            "allow-non-oidc": False,
            "auth-type-code-enabled": True, "auth-type-code-revoke-replayed": False,
            "auth-type-token-enabled": False, "auth-type-id-token-enabled": True,
            "auth-type-none-enabled": False, "auth-type-password-enabled": False,
            "auth-type-client-enabled": False, "auth-type-device-enabled": False,
            "auth-type-refresh-enabled": True,
            "subject-type": "public",
            "scope": [], "additional-parameters": [],
            "allowed-scope": SCOPES,  # scopes_supported in the discovery document
            "name-claim": "on-demand", "name-claim-scope": ["profile"],
            "email-claim": "on-demand", "email-claim-scope": ["email"],
            "scope-claim": "no", "scope-claim-scope": [],
            "address-claim": {"type": "no", "formatted": "", "street_address": "",
                              "locality": "", "region": "", "postal_code": "",
                              "country": "", "mandatory": False},
            "claims": [
                {"name": "email_verified", "user-property": "email_verified",
                 "type": "boolean", "boolean-value-true": "1", "boolean-value-false": "0",
                 "mandatory": False, "on-demand": False, "scope": ["email"]},
                {"name": "preferred_username", "user-property": "username",
                 "type": "string", "mandatory": False, "on-demand": False,
                 "scope": ["profile"]},
            ],
            "pkce-allowed": True, "pkce-method-plain-allowed": False,
            "pkce-required": bool(require_pkce), "pkce-required-public-client": True,
            "pkce-scopes": [],
            "request-parameter-allow": False, "request-uri-allow-https-non-secure": False,
            "request-parameter-allow-encrypted": False,
            "encrypt-out-token-allow": False,
            "introspection-revocation-allowed": False,
            "register-client-allowed": False,
            "session-management-allowed": False,
            "oauth-dpop-allowed": False, "resource-allowed": False, "oauth-rar-allowed": False,
            "oauth-par-allowed": False, "oauth-ciba-allowed": False,
            "oauth-as-iss-id": False,
            "client-pubkey-parameter": "", "client-jwks-parameter": "",
            "client-jwks_uri-parameter": "", "client-sign_kid-parameter": "",
            "service-documentation": "", "op-policy-uri": "", "op-tos-uri": "",
        },
    }


def parse_user_spec(spec):
    """username:email:password[:Display Name[:unverified]]"""
    parts = spec.split(":")
    if len(parts) < 3 or not all(parts[:3]):
        raise Failure("--user wants username:email:password[:Display Name[:unverified]], "
                      "got %r" % spec, EXIT_USAGE)
    user = {"username": parts[0], "email": parts[1], "password": parts[2],
            "name": parts[3] if len(parts) > 3 and parts[3] else parts[0],
            "email_verified": True}
    if len(parts) > 4:
        if parts[4] not in ("unverified", "verified"):
            raise Failure("--user: 5th field must be 'verified' or 'unverified'", EXIT_USAGE)
        user["email_verified"] = parts[4] == "verified"
    return user


def _set_pdeathsig(sig=signal.SIGTERM):
    """Ask Linux to send `sig` to this process when its parent (thread) dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except Exception:  # pragma: no cover - best effort
        pass


def _glewlwyd_preexec():
    _set_pdeathsig(signal.SIGTERM)


def write_atomic(path, text):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is as good as gone
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def pid_cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def pid_listens_on(pid, port):
    """True when process `pid` owns the socket listening on 127.0.0.1:`port` (via /proc)."""
    try:
        inodes = set()
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
        with open("/proc/net/tcp") as f:
            next(f)
            for line in f:
                fields = line.split()
                local, state, inode = fields[1], fields[3], fields[9]
                if state == "0A" and local.upper() in ("0100007F:%04X" % port,
                                                       "00000000:%04X" % port):
                    return inode in inodes
        return False
    except OSError:
        return True  # no /proc: cannot tell, trust the HTTP answer


class Provider:
    """One glewlwyd process plus its configuration, owned by this python process."""

    def __init__(self, args):
        self.args = args
        self.dir = os.path.abspath(args.dir)
        self.proc = None
        self.port = None
        self.info = None
        self.log_path = os.path.join(self.dir, "glewlwyd.log")
        self.owns_dir_files = False  # True once this process wrote DIR/provider.pid
        self.users = [
            {"username": "councillor", "email": "councillor@example.test",
             "password": args.password, "name": "Casey Councillor", "email_verified": True},
            {"username": "officer", "email": "officer@example.test",
             "password": args.second_password, "name": "Olive Officer",
             "email_verified": True},
        ] + [parse_user_spec(spec) for spec in (args.user or [])]
        names = [u["username"] for u in self.users]
        if len(set(names)) != len(names):
            raise Failure("a username is given twice: %s" % ", ".join(names), EXIT_USAGE)

    # paths
    def path(self, name):
        return os.path.join(self.dir, name)

    def log_tail(self, lines=25):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no log)"

    def _launch(self, port):
        db_path = self.path("glewlwyd.db")
        create_database(db_path)
        conf = self.path("glewlwyd.conf")
        write_atomic(conf, glewlwyd_config(port, db_path, self.args.log_level))
        logf = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(
                [GLEWLWYD, "--config-file=" + conf], stdin=subprocess.DEVNULL, stdout=logf,
                stderr=subprocess.STDOUT, cwd=self.dir, start_new_session=True,
                preexec_fn=_glewlwyd_preexec, close_fds=True)
        finally:
            logf.close()
        write_atomic(self.path("glewlwyd.pid"), "%d\n" % self.proc.pid)
        self.port = port

    def _wait_ready(self, deadline):
        url = "http://127.0.0.1:%d/config" % self.port
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                resp = http_request("GET", url, timeout=2)
                # the answer must come from OUR glewlwyd, not from whatever grabbed an
                # automatically chosen port between free_port() and glewlwyd's bind()
                if resp.status == 200 and b"api_prefix" in resp.body and \
                        pid_listens_on(self.proc.pid, self.port):
                    return True
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.05)
        raise Failure("glewlwyd did not answer on %s within %ss; log tail:\n%s"
                      % (url, self.args.startup_timeout, self.log_tail()))

    def start(self):
        if not os.path.exists(GLEWLWYD):
            raise Failure("%s not found: apt-get install --no-install-recommends glewlwyd"
                          % GLEWLWYD)
        os.makedirs(self.dir, exist_ok=True)
        old_pid_file = self.path("provider.pid")
        if os.path.exists(old_pid_file):
            try:
                old = int(open(old_pid_file).read().strip() or 0)
            except ValueError:
                old = 0
            if old and old != os.getpid() and pid_alive(old) and \
                    "glewlwyd_provider" in pid_cmdline(old):
                raise Failure("a provider (pid %d) is already running for %s; stop it first"
                              % (old, self.dir))
        for stale in ("provider.json", "glewlwyd.pid", "glewlwyd.log"):
            if os.path.exists(self.path(stale)):
                os.remove(self.path(stale))
        write_atomic(old_pid_file, "%d\n" % os.getpid())
        self.owns_dir_files = True
        deadline = time.monotonic() + self.args.startup_timeout
        attempts = 1 if self.args.port else 5
        for attempt in range(attempts):
            port = self.args.port or free_port()
            if self.args.port and not port_is_free(port):
                raise Failure("port %d on 127.0.0.1 is already in use" % port)
            self._launch(port)
            if self._wait_ready(deadline):
                break
            # glewlwyd exited: most likely the port was taken in between (auto port only)
            code = self.proc.returncode
            self.proc = None
            if attempt + 1 == attempts:
                raise Failure("glewlwyd exited with status %s during startup; log tail:\n%s"
                              % (code, self.log_tail()))
            log("glewlwyd exited during startup (status %s) on port %d, retrying"
                % (code, port))
        self.configure()
        return self.info

    def configure(self):
        a = self.args
        base = "http://127.0.0.1:%d" % self.port
        api_base = base + "/api"
        issuer = "%s/%s" % (api_base, PLUGIN_NAME)
        api = Api(api_base)
        api.sign_in(*DEFAULT_ADMIN)

        jwk = generate_rsa_jwk(2048)
        with open(self.path("oidc-signing-key.jwks.json"), "w") as f:
            json.dump({"keys": [jwk]}, f)
        public = {k: jwk[k] for k in ("kty", "use", "alg", "kid", "n", "e")}
        with open(self.path("oidc-signing-key.pub.pem"), "w") as f:
            f.write(public_pem_from_jwk(public))

        for scope, desc in (("email", "E-mail address"), ("profile", "Name and username")):
            api.call("POST", "/scope/", {"name": scope, "display_name": scope,
                                         "description": desc, "password_required": True,
                                         "password_max_age": 0, "scheme": {}})
        api.call("POST", "/mod/plugin/",
                 oidc_plugin_body(issuer, {"keys": [jwk]}, jwk["kid"], a.require_pkce))

        client = {"client_id": a.client_id, "name": a.client_id,
                  "description": "wardmap integration-test relying party",
                  "enabled": True, "scope": [], "redirect_uri": list(a.redirect_uri),
                  "authorization_type": ["code", "refresh_token"]}
        secret = None
        if a.public_client:
            client["confidential"] = False
            client["token_endpoint_auth_method"] = ["none"]
        else:
            secret = a.client_secret or b64u(secrets.token_bytes(24))
            client["confidential"] = True
            client["client_secret"] = secret
            client["token_endpoint_auth_method"] = ["client_secret_basic", "client_secret_post"]
        api.call("POST", "/client/", client)

        users = self.users
        for u in users:
            api.call("POST", "/user/", {
                "username": u["username"], "name": u["name"], "email": u["email"],
                "password": u["password"], "enabled": True, "scope": list(SCOPES),
                "email_verified": "1" if u["email_verified"] else "0"})

        admin_password = b64u(secrets.token_bytes(18))
        api.call("PUT", "/user/" + DEFAULT_ADMIN[0], {
            "username": DEFAULT_ADMIN[0], "name": "The Administrator", "email": "",
            "enabled": True, "scope": ["g_admin", "g_profile"], "password": admin_password})

        discovery_url = issuer + "/.well-known/openid-configuration"
        disc = http_request("GET", discovery_url)
        if disc.status != 200:
            raise Failure("discovery document answered HTTP %d" % disc.status)
        d = disc.json()
        if d.get("issuer") != issuer:
            raise Failure("discovery issuer %r != %r" % (d.get("issuer"), issuer))
        jwks = http_request("GET", d["jwks_uri"]).json()
        if not any(k.get("kid") == jwk["kid"] for k in jwks.get("keys", [])):
            raise Failure("the JWKS endpoint does not publish the generated key")

        self.info = {
            "issuer": issuer,
            "discovery_url": discovery_url,
            "authorization_endpoint": d.get("authorization_endpoint"),
            "token_endpoint": d.get("token_endpoint"),
            "userinfo_endpoint": d.get("userinfo_endpoint"),
            "jwks_uri": d.get("jwks_uri"),
            "kid": jwk["kid"],
            "client_id": a.client_id,
            "client_secret": secret,
            "public_client": bool(a.public_client),
            "redirect_uris": list(a.redirect_uri),
            "scopes": list(SCOPES),
            "users": [{k: u[k] for k in ("username", "email", "password", "name",
                                         "email_verified")} for u in users],
            "admin": {"username": DEFAULT_ADMIN[0], "password": admin_password},
            "port": self.port,
            "base_url": base,
            "api_base": api_base,
            "pid": os.getpid(),
            "glewlwyd_pid": self.proc.pid,
            "dir": self.dir,
            "pid_file": self.path("provider.pid"),
            "log_file": self.log_path,
            "glewlwyd_version": glewlwyd_version(),
        }

    def stop(self, timeout=10.0):
        proc, self.proc = self.proc, None
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log("glewlwyd (pid %d) ignored SIGTERM for %ss, killing it" % (proc.pid, timeout))
                proc.kill()
                proc.wait(5)
        for name in ("glewlwyd.pid",):
            try:
                os.remove(self.path(name))
            except OSError:
                pass
        return proc.returncode


def glewlwyd_version():
    try:
        out = subprocess.run([GLEWLWYD, "--version"], capture_output=True, text=True,
                             timeout=10).stdout
        return out.strip().splitlines()[-1].strip() if out.strip() else None
    except (OSError, subprocess.SubprocessError):
        return None


_stop_requested = []


def _request_stop(signum, frame):
    _stop_requested.append(signum)


def cmd_start(args):
    if args.daemon and not args._daemon_child:
        return start_daemon(args)
    created_dir = False
    if not args.dir:
        args.dir = tempfile.mkdtemp(prefix="glewlwyd-oidc-")
        created_dir = True
    if args.exit_with_parent:
        _set_pdeathsig(signal.SIGTERM)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _request_stop)
    provider = None
    code = EXIT_OK
    try:
        provider = Provider(args)
        info = provider.start()
        line = json.dumps(info, sort_keys=True)
        write_atomic(provider.path("provider.json"), line + "\n")
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
        if args._daemon_child:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.close(devnull)
        deadline = time.monotonic() + args.ttl if args.ttl and args.ttl > 0 else None
        while not _stop_requested:
            if provider.proc.poll() is not None:
                log("glewlwyd exited unexpectedly with status %s; log tail:\n%s"
                    % (provider.proc.returncode, provider.log_tail()))
                code = EXIT_FAIL
                break
            if deadline is not None and time.monotonic() > deadline:
                log("--ttl of %ss reached, stopping" % args.ttl)
                break
            time.sleep(0.2)
    except Failure as exc:
        log(str(exc))
        code = exc.code
    except Exception as exc:  # keep the no-process-left promise on any bug
        log("internal error: %r" % (exc,))
        code = EXIT_USAGE
    finally:
        if provider is not None:
            provider.stop()
            if provider.owns_dir_files:
                for name in ("provider.pid", "provider.json"):
                    try:
                        os.remove(provider.path(name))
                    except OSError:
                        pass
        if created_dir and not args.keep_dir:
            shutil.rmtree(args.dir, ignore_errors=True)
    return code


def start_daemon(args):
    if not args.dir:
        args.dir = tempfile.mkdtemp(prefix="glewlwyd-oidc-")
    os.makedirs(args.dir, exist_ok=True)
    argv = [sys.executable, os.path.abspath(__file__)] + sys.argv[1:] + \
        ["--_daemon-child", "--dir", os.path.abspath(args.dir)]
    if args.ttl is None:
        argv += ["--ttl", "3600"]
    Provider(args)  # validates the arguments (users) before anything is started
    errlog_path = os.path.join(args.dir, "provider.log")
    with open(errlog_path, "wb") as errlog:
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=errlog, start_new_session=True, close_fds=True)
    deadline = time.monotonic() + args.startup_timeout + 30
    buf = b""
    while b"\n" not in buf and time.monotonic() < deadline:
        ready, _, _ = select.select([child.stdout], [], [], 0.5)
        if ready:
            chunk = os.read(child.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
        elif child.poll() is not None:
            break
    child.stdout.close()
    if b"\n" not in buf:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(20)
            except subprocess.TimeoutExpired:
                child.kill()
        try:
            with open(errlog_path, encoding="utf-8", errors="replace") as f:
                tail = "".join(f.readlines()[-30:])
        except OSError:
            tail = ""
        raise Failure("the provider did not become ready (see %s):\n%s" % (errlog_path, tail))
    sys.stdout.write(buf.split(b"\n", 1)[0].decode("utf-8") + "\n")
    sys.stdout.flush()
    return EXIT_OK


def cmd_stop(args):
    d = os.path.abspath(args.dir)
    pid_file = os.path.join(d, "provider.pid")
    gpid_file = os.path.join(d, "glewlwyd.pid")
    pid = gpid = None
    try:
        pid = int(open(pid_file).read().strip())
    except (OSError, ValueError):
        pass
    try:
        gpid = int(open(gpid_file).read().strip())
    except (OSError, ValueError):
        pass
    if pid and pid_alive(pid) and "glewlwyd_provider" in pid_cmdline(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + args.timeout
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if pid_alive(pid):
            log("provider pid %d still alive after %ss, killing it" % (pid, args.timeout))
            os.kill(pid, signal.SIGKILL)
    if gpid and pid_alive(gpid) and "glewlwyd" in pid_cmdline(gpid) and \
            "glewlwyd_provider" not in pid_cmdline(gpid):
        deadline = time.monotonic() + 5
        while pid_alive(gpid) and time.monotonic() < deadline:  # PDEATHSIG is on its way
            time.sleep(0.1)
        if pid_alive(gpid):
            os.kill(gpid, signal.SIGTERM)
            deadline = time.monotonic() + args.timeout
            while pid_alive(gpid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if pid_alive(gpid):
                os.kill(gpid, signal.SIGKILL)
    for name in ("provider.pid", "glewlwyd.pid", "provider.json"):
        try:
            os.remove(os.path.join(d, name))
        except OSError:
            pass
    if (pid and pid_alive(pid)) or (gpid and pid_alive(gpid)):
        raise Failure("could not stop the provider in %s" % d)
    return EXIT_OK


# --------------------------------------------------------------------------------------------
# login (the browser), token, set-redirect-uris
# --------------------------------------------------------------------------------------------

def api_base_from_auth_url(auth_url):
    parts = urllib.parse.urlsplit(auth_url)
    path = parts.path.rstrip("/")
    if not path.endswith("/auth"):
        raise Failure("authorization URL path %r does not end in /auth; pass --api-base"
                      % parts.path, EXIT_USAGE)
    plugin_path = path[:-len("/auth")]
    api_path = plugin_path.rsplit("/", 1)[0]
    return "%s://%s%s" % (parts.scheme, parts.netloc, api_path)


def do_login(auth_url, username, password, api_base=None, grant=None):
    """Returns the Location glewlwyd redirects the browser to (to the relying party)."""
    parts = urllib.parse.urlsplit(auth_url)
    query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
    client_id = (query.get("client_id") or [None])[0]
    redirect_uri = (query.get("redirect_uri") or [None])[0]
    if not client_id or not redirect_uri:
        raise Failure("the authorization URL has no client_id or redirect_uri: %s" % auth_url,
                      EXIT_USAGE)
    scopes = " ".join((query.get("scope") or [""])[0].split())
    api = Api(api_base or api_base_from_auth_url(auth_url))
    api.sign_in(username, password)
    grant_scopes = scopes if grant is None else " ".join(grant.replace(",", " ").split())
    if grant_scopes:
        # Quirk: the body's "scope" is SPACE-separated (docs say comma); a comma list is
        # taken as one unknown scope and answered 401.
        resp = api.call("PUT", "/auth/grant/%s/" % urllib.parse.quote(client_id, safe=""),
                        {"scope": grant_scopes}, expect=None)
        if resp.status != 200:
            raise Failure("granting scopes %r to client %r for user %r failed: HTTP %d %s "
                          "(does the user have these scopes? does the client exist?)"
                          % (grant_scopes, client_id, username, resp.status,
                             resp.text()[:200]))
    # glewlwyd's login page appends g_continue once the user has signed in and granted; the
    # authorization endpoint redirects to the login page without it.
    sep = "&" if parts.query else "?"
    url = auth_url + (sep + "g_continue" if "g_continue" not in query else "")
    resp = http_request("GET", url, headers={"Cookie": api.cookie})
    location = resp.header("Location")
    if resp.status not in (301, 302, 303, 307) or not location:
        raise Failure("the authorization endpoint answered HTTP %d without a redirect "
                      "(wrong redirect_uri or client_id? response_mode=form_post is not "
                      "supported here): %s" % (resp.status, resp.text()[:300]))
    if not location.startswith(redirect_uri):
        raise Failure("glewlwyd redirected to %s instead of the redirect_uri: it still wants "
                      "an interactive step (scope not granted? unsupported prompt?)" % location)
    return location


def response_params(location):
    parts = urllib.parse.urlsplit(location)
    params = urllib.parse.parse_qs(parts.query)
    params.update(urllib.parse.parse_qs(parts.fragment))
    return {k: v[0] for k, v in params.items()}


def cmd_login(args):
    location = do_login(args.url, args.username, args.password, args.api_base, args.grant)
    sys.stdout.write(location + "\n")
    sys.stdout.flush()
    params = response_params(location)
    if "code" in params:
        return EXIT_OK
    log("the provider answered the relying party with an error: %s %s"
        % (params.get("error"), params.get("error_description", "")))
    return EXIT_OAUTH_ERROR


def exchange_code(info, code, verifier, redirect_uri, basic=True):
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if verifier:
        form["code_verifier"] = verifier
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if info.get("client_secret") and basic:
        cred = "%s:%s" % (urllib.parse.quote(info["client_id"], safe=""),
                          urllib.parse.quote(info["client_secret"], safe=""))
        headers["Authorization"] = "Basic " + base64.b64encode(cred.encode()).decode()
    else:
        form["client_id"] = info["client_id"]
        if info.get("client_secret"):
            form["client_secret"] = info["client_secret"]
    return http_request("POST", info["token_endpoint"],
                        body=urllib.parse.urlencode(form), headers=headers)


def load_info(args):
    if getattr(args, "dir", None):
        path = os.path.join(os.path.abspath(args.dir), "provider.json")
        if not os.path.exists(path):
            raise Failure("%s not found: is the provider running?" % path, EXIT_USAGE)
        return read_json(path)
    raise Failure("--dir is required", EXIT_USAGE)


def cmd_token(args):
    info = load_info(args)
    code = args.code
    redirect_uri = args.redirect_uri
    if args.location:
        params = response_params(args.location)
        code = code or params.get("code")
        redirect_uri = redirect_uri or args.location.split("?", 1)[0].split("#", 1)[0]
    if not code:
        raise Failure("give --code or --location", EXIT_USAGE)
    redirect_uri = redirect_uri or info["redirect_uris"][0]
    resp = exchange_code(info, code, args.code_verifier, redirect_uri, basic=not args.post)
    out = {"status": resp.status, "body": None, "id_token_header": None,
           "id_token_claims": None}
    try:
        out["body"] = json.loads(resp.body.decode("utf-8"))
    except ValueError:
        out["body"] = resp.text()
    if resp.status == 200 and isinstance(out["body"], dict) and out["body"].get("id_token"):
        jwks = http_request("GET", info["jwks_uri"]).json()
        out["id_token_header"] = decode_jwt(out["body"]["id_token"])[0]
        out["id_token_claims"] = verify_id_token(out["body"]["id_token"], jwks,
                                                 info["issuer"], info["client_id"],
                                                 nonce=args.nonce)
    sys.stdout.write(json.dumps(out, sort_keys=True) + "\n")
    return EXIT_OK if resp.status == 200 else EXIT_FAIL


def cmd_set_redirect_uris(args):
    info = load_info(args)
    api = Api(info["api_base"])
    api.sign_in(info["admin"]["username"], info["admin"]["password"])
    client = api.call("GET", "/client/" + urllib.parse.quote(info["client_id"], safe="")).json()
    client.pop("source", None)
    client["redirect_uri"] = list(args.uri)
    api.call("PUT", "/client/" + urllib.parse.quote(info["client_id"], safe=""), client)
    info["redirect_uris"] = list(args.uri)
    write_atomic(os.path.join(os.path.abspath(args.dir), "provider.json"),
                 json.dumps(info, sort_keys=True) + "\n")
    sys.stdout.write(json.dumps(info, sort_keys=True) + "\n")
    return EXIT_OK


# --------------------------------------------------------------------------------------------
# selftest
# --------------------------------------------------------------------------------------------

def _check(cond, message):
    if not cond:
        raise Failure("selftest: " + message)


def _run_self(argv, timeout=120):
    return subprocess.run([sys.executable, os.path.abspath(__file__)] + argv,
                          capture_output=True, text=True, timeout=timeout)


def selftest_flow(info, public_client, timings):
    redirect_uri = info["redirect_uris"][0]
    disc = http_request("GET", info["discovery_url"]).json()
    _check(disc["issuer"] == info["issuer"], "discovery issuer")
    _check("S256" in disc.get("code_challenge_methods_supported", []), "S256 not advertised")
    _check("RS256" in disc.get("id_token_signing_alg_values_supported", []), "RS256 missing")
    _check(set(SCOPES) <= set(disc.get("scopes_supported", [])), "scopes_supported")
    jwks = http_request("GET", disc["jwks_uri"]).json()

    for user in info["users"][:2]:
        verifier, challenge = pkce_pair()
        state, nonce = b64u(secrets.token_bytes(12)), b64u(secrets.token_bytes(12))
        auth_url = build_auth_url(disc["authorization_endpoint"], info["client_id"],
                                  redirect_uri, state, nonce, challenge)
        t0 = time.monotonic()
        # the real CLI, as a C++ test would run it
        r = _run_self(["login", "--url", auth_url, "--username", user["username"],
                       "--password", user["password"]])
        timings.append(("login CLI", time.monotonic() - t0))
        _check(r.returncode == 0, "login exit %d: %s" % (r.returncode, r.stderr))
        location = r.stdout.strip()
        _check(location.startswith(redirect_uri + "?"), "Location %r" % location)
        params = response_params(location)
        _check(params.get("state") == state, "state not echoed: %r" % params)
        _check(params.get("code"), "no code")

        t0 = time.monotonic()
        resp = exchange_code(info, params["code"], verifier, redirect_uri)
        timings.append(("token", time.monotonic() - t0))
        _check(resp.status == 200, "token endpoint HTTP %d %s" % (resp.status, resp.text()))
        tok = resp.json()
        _check(tok.get("token_type", "").lower() == "bearer", "token_type %r" % tok)
        _check(set(tok.get("scope", "").split()) == set(SCOPES), "granted scope %r" % tok)
        claims = verify_id_token(tok["id_token"], jwks, info["issuer"], info["client_id"],
                                 nonce=nonce)
        _check(claims.get("email") == user["email"], "email claim %r" % claims.get("email"))
        _check(claims.get("email_verified") is True, "email_verified %r" % claims)
        _check(claims.get("name") == user["name"], "name claim %r" % claims.get("name"))
        _check(claims.get("preferred_username") == user["username"], "preferred_username")
        _check(claims.get("azp") == info["client_id"], "azp %r" % claims.get("azp"))
        half = lambda v: b64u(hashlib.sha256(v.encode("ascii")).digest()[:16])  # noqa: E731
        _check(claims.get("at_hash") == half(tok["access_token"]), "at_hash mismatch")
        _check(claims.get("c_hash") == half(params["code"]), "c_hash mismatch")
        # cross-check the signature with openssl when it is installed
        if shutil.which("openssl"):
            header, _, signing_input, signature = decode_jwt(tok["id_token"])
            key = [k for k in jwks["keys"] if k["kid"] == header["kid"]][0]
            with tempfile.TemporaryDirectory() as td:
                for name, data in (("pub.pem", public_pem_from_jwk(key).encode()),
                                   ("sig", signature), ("msg", signing_input)):
                    with open(os.path.join(td, name), "wb") as f:
                        f.write(data)
                v = subprocess.run(["openssl", "dgst", "-sha256", "-verify",
                                    os.path.join(td, "pub.pem"), "-signature",
                                    os.path.join(td, "sig"), os.path.join(td, "msg")],
                                   capture_output=True, text=True)
                _check(v.returncode == 0 and "Verified OK" in v.stdout,
                       "openssl disagrees: %s %s" % (v.stdout, v.stderr))
        ui = http_request("GET", disc["userinfo_endpoint"],
                          headers={"Authorization": "Bearer " + tok["access_token"]})
        _check(ui.status == 200, "userinfo HTTP %d" % ui.status)
        _check(ui.json().get("email") == user["email"], "userinfo email %r" % ui.json())
        _check(ui.json().get("sub") == claims["sub"], "userinfo sub != id_token sub")
        # the code is single-use
        again = exchange_code(info, params["code"], verifier, redirect_uri)
        _check(again.status != 200, "code accepted twice")

    # PKCE is enforced: a wrong verifier is refused
    verifier, challenge = pkce_pair()
    auth_url = build_auth_url(disc["authorization_endpoint"], info["client_id"], redirect_uri,
                              "s-pkce", "n-pkce", challenge)
    location = do_login(auth_url, info["users"][0]["username"], info["users"][0]["password"])
    bad = exchange_code(info, response_params(location)["code"], pkce_pair()[0], redirect_uri)
    _check(bad.status != 200, "wrong PKCE verifier accepted")
    if not public_client:
        wrong = dict(info, client_secret="not-the-secret")
        bad = exchange_code(wrong, response_params(location)["code"], verifier, redirect_uri)
        _check(bad.status != 200, "wrong client secret accepted")
        ok = exchange_code(info, response_params(location)["code"], verifier, redirect_uri,
                           basic=False)
        _check(ok.status == 200, "client_secret_post refused: %d %s" % (ok.status, ok.text()))

    # wrong password -> exit 4, nothing on stdout
    r = _run_self(["login", "--url", auth_url, "--username", info["users"][0]["username"],
                   "--password", "wrong-password"])
    _check(r.returncode == EXIT_BAD_CREDENTIALS and not r.stdout.strip(),
           "wrong password: exit %d stdout %r" % (r.returncode, r.stdout))
    # an unregistered redirect_uri is refused by the provider (no redirect at all)
    evil = build_auth_url(disc["authorization_endpoint"], info["client_id"],
                          "http://127.0.0.1:1/evil", "s", "n", challenge)
    r = _run_self(["login", "--url", evil, "--username", info["users"][0]["username"],
                   "--password", info["users"][0]["password"]])
    _check(r.returncode == EXIT_FAIL, "unregistered redirect_uri: exit %d" % r.returncode)


def cmd_selftest(args):
    timings = []
    work = tempfile.mkdtemp(prefix="glewlwyd-selftest-")
    redirect_uri = "http://127.0.0.1:%d/auth/oidc/callback" % free_port()
    argv = ["start", "--dir", work, "--redirect-uri", redirect_uri,
            "--password", "councillor-" + b64u(secrets.token_bytes(6)),
            "--second-password", "officer-" + b64u(secrets.token_bytes(6))]
    if args.public_client:
        argv.append("--public-client")
    if args.daemon:
        argv.append("--daemon")
    t0 = time.monotonic()
    child = subprocess.Popen([sys.executable, os.path.abspath(__file__)] + argv,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    gpid = None
    code = EXIT_OK
    try:
        line = child.stdout.readline()
        timings.append(("start", time.monotonic() - t0))
        if not line.strip():
            child.wait(30)
            raise Failure("selftest: start printed nothing; exit %s stderr:\n%s"
                          % (child.returncode, child.stderr.read()))
        info = json.loads(line)
        gpid = info["glewlwyd_pid"]
        _check(read_json(os.path.join(work, "provider.json")) == info,
               "provider.json differs from stdout")
        _check(info["port"] and info["issuer"].startswith("http://127.0.0.1:%d/" % info["port"]),
               "issuer/port")
        selftest_flow(info, args.public_client, timings)
    except Failure as exc:
        log(str(exc))
        code = exc.code
    finally:
        t0 = time.monotonic()
        if args.daemon:
            r = _run_self(["stop", "--dir", work])
            if r.returncode != 0:
                log("stop failed: %s" % r.stderr)
                code = code or EXIT_FAIL
            child.wait(30)
        else:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
                code = code or EXIT_FAIL
                log("selftest: start did not exit on SIGTERM")
            if child.returncode != 0 and code == EXIT_OK:
                log("selftest: start exited %s: %s" % (child.returncode, child.stderr.read()))
                code = EXIT_FAIL
        timings.append(("stop", time.monotonic() - t0))
        if gpid and pid_alive(gpid):
            log("selftest: glewlwyd pid %d is still running" % gpid)
            code = code or EXIT_FAIL
        if os.path.exists(os.path.join(work, "provider.json")):
            log("selftest: provider.json left behind after stop")
            code = code or EXIT_FAIL
        if code != EXIT_OK:
            log("kept %s for inspection" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    summary = ", ".join("%s %.2fs" % t for t in timings)
    if code == EXIT_OK:
        print("selftest passed (%s)" % summary)
    else:
        print("selftest FAILED (%s)" % summary)
    return code


# --------------------------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    s = sub.add_parser("start", help="start and configure glewlwyd")
    s.add_argument("--dir", help="working directory (default: a new temporary one)")
    s.add_argument("--port", type=int, default=0, help="loopback port (default: a free one)")
    s.add_argument("--redirect-uri", action="append", required=True,
                   help="client redirect URI (repeatable, exact match)")
    s.add_argument("--client-id", default="wardmap")
    s.add_argument("--client-secret", help="default: random, printed in the JSON")
    s.add_argument("--public-client", action="store_true",
                   help="register a public client (no secret; PKCE required)")
    s.add_argument("--require-pkce", action="store_true",
                   help="require PKCE from every client (default: allowed, required only "
                        "for public clients)")
    s.add_argument("--password", default="councillor-password",
                   help="password of councillor@example.test (username councillor)")
    s.add_argument("--second-password", default="officer-password",
                   help="password of officer@example.test (username officer)")
    s.add_argument("--user", action="append",
                   help="extra user username:email:password[:Display Name[:unverified]]")
    s.add_argument("--daemon", action="store_true",
                   help="detach; return once ready; end it with `stop --dir DIR`")
    s.add_argument("--ttl", type=float, default=None,
                   help="stop by itself after this many seconds (default: none in the "
                        "foreground, 3600 with --daemon; 0 = never)")
    s.add_argument("--exit-with-parent", action="store_true",
                   help="stop when the parent process dies (Linux PR_SET_PDEATHSIG)")
    s.add_argument("--keep-dir", action="store_true",
                   help="keep the temporary --dir this command created")
    s.add_argument("--log-level", default="INFO",
                   choices=["NONE", "ERROR", "WARNING", "INFO", "DEBUG"])
    s.add_argument("--startup-timeout", type=float, default=30.0)
    s.add_argument("--_daemon-child", action="store_true", help=argparse.SUPPRESS)

    st = sub.add_parser("stop", help="stop the provider whose files are in --dir")
    st.add_argument("--dir", required=True)
    st.add_argument("--timeout", type=float, default=15.0)

    lg = sub.add_parser("login", help="sign a user in and print the redirect Location")
    lg.add_argument("--url", required=True, help="the authorization URL (as redirected to)")
    lg.add_argument("--username", required=True, help="glewlwyd username (e.g. councillor)")
    lg.add_argument("--password", required=True)
    lg.add_argument("--api-base", help="glewlwyd API base (default: from the URL)")
    lg.add_argument("--grant", help="scopes to grant (default: those in the URL; '' = none)")

    tk = sub.add_parser("token", help="exchange a code (reads DIR/provider.json)")
    tk.add_argument("--dir", required=True)
    tk.add_argument("--code")
    tk.add_argument("--location", help="the Location printed by login (code taken from it)")
    tk.add_argument("--code-verifier")
    tk.add_argument("--redirect-uri")
    tk.add_argument("--nonce", help="check the ID token nonce")
    tk.add_argument("--post", action="store_true", help="client_secret_post, not basic")

    ru = sub.add_parser("set-redirect-uris", help="replace the client's redirect URIs")
    ru.add_argument("--dir", required=True)
    ru.add_argument("uri", nargs="+")

    sf = sub.add_parser("selftest", help="full round trip against a fresh provider")
    sf.add_argument("--public-client", action="store_true")
    sf.add_argument("--daemon", action="store_true", help="exercise --daemon and stop")

    args = parser.parse_args(argv)
    handlers = {"start": cmd_start, "stop": cmd_stop, "login": cmd_login, "token": cmd_token,
                "set-redirect-uris": cmd_set_redirect_uris, "selftest": cmd_selftest}
    try:
        return handlers[args.command](args)
    except Failure as exc:
        log(str(exc))
        return exc.code
    except (OSError, http.client.HTTPException) as exc:
        log("%s: %s" % (type(exc).__name__, exc))
        return EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
