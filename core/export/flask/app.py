"""Serves the Tableau Next Embedding SDK's auth credential: a single-use
frontdoor URL obtained server to server with the Salesforce OAuth 2.0 JWT
bearer flow, and the page that embeds a dashboard with it.

    pip install -r requirements.txt && python3 app.py     (reads ./.env)

GET /auth-credential -> {"authCredential": "<frontdoor URL>", "orgUrl": "<Lightning URL>"}

Settings come from the environment, or from .env beside this file
(variables already set win): SF_LOGIN_URL, SF_AUDIENCE (empty: found as
tnjwt finds it), SF_CLIENT_ID, SF_USERNAME, SF_PRIVATE_KEY (PEM; "\\n"
escapes are accepted), SF_ORG_URL (empty: worked out from instance_url),
PORT (3000), HOST (127.0.0.1) and ALLOWED_HOSTS.

Written by tnjwt; the same contract as its Express, Go, Java and Sinatra
servers (see README.md).
"""
import ipaddress
import json
import logging
import os
import sys
import threading
import time
from urllib.parse import quote, quote_plus, urlsplit

import jwt  # PyJWT
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dotenv import load_dotenv
from flask import Flask, Response, jsonify, request

TIMEOUT = 10  # seconds, each Salesforce request (connecting, then each read)
MAX_REPLY = 1 << 20  # Salesforce's replies are a few hundred bytes
# The token reply does not say how long the session lasts: it is the org's
# (or the app's) session timeout, which an admin can set as low as 15
# minutes. A token is reused for 14 minutes at most; a token refused sooner
# (revoked, or a shorter timeout) is re-signed once at once.
TOKEN_REUSE = 14 * 60
BACKOFF = 5  # seconds without a new login after a failed one
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"

HERE = os.path.dirname(os.path.abspath(__file__))


def fail(message):
    print(message, file=sys.stderr, flush=True)
    sys.exit(1)


def log(message):
    print(message, file=sys.stderr, flush=True)


load_dotenv(os.path.join(HERE, ".env"), override=False)

# ---- Salesforce's login hosts, checked as tnjwt checks them ----

# Salesforce's registrable domains: the only hosts the access token goes to.
SALESFORCE_DOMAINS = ("salesforce.com", "force.com", "site.com", "my-salesforce.com", "my-lightning.com",
                      "salesforce-sites.com", "cloudforce.com", "visualforce.com", "salesforce-setup.com",
                      "salesforce.mil", "crmforce.mil", "sfcrmproducts.cn", "sfcrmapps.cn")
# My Domain suffixes and their Lightning ones.
MY_DOMAIN_SUFFIXES = ((".my.salesforce.com", ".lightning.force.com"), (".my-salesforce.com", ".my-lightning.com"),
                      (".my.salesforce.mil", ".lightning.crmforce.mil"), (".my.sfcrmproducts.cn", ".lightning.sfcrmapps.cn"))
NOT_LOGIN_HOSTS = (".my.salesforce-setup.com", ".vf.force.com", ".file.force.com", ".visual.force.com",
                   ".visualforce.com", ".salesforce-experience.com", ".content.force.com", ".container.force.com")


def is_salesforce_host(host):
    host = host.lower().rstrip(".")
    return any(host.endswith("." + d) for d in SALESFORCE_DOMAINS)


def is_loopback(host):
    """The name localhost, 127.0.0.0/8 or ::1 (not names under .localhost, nor ::ffff:127.0.0.1)."""
    host = host.strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    if ip.version == 6:
        return ip == ipaddress.IPv6Address("::1")
    return ip.is_loopback and host.count(".") == 3


def valid_name(name):
    if not name:
        return False
    for label in name.split("."):
        if not label or len(label) > 63 or label[0] == "-" or label[-1] == "-":
            return False
        if any(not (c.isascii() and (c.islower() or c.isdigit() or c == "-")) for c in label):
            return False
    return True


class LoginURL:
    def __init__(self, url, kind):
        self.url, self.kind = url, kind

    def audiences(self):
        """The order in which the JWT's aud is tried."""
        legacy = "https://test.salesforce.com" if self.kind in ("sandbox", "mydomain-sandbox") else "https://login.salesforce.com"
        if self.kind == "site":
            return [self.url]
        if self.kind in ("mydomain", "mydomain-sandbox", "loopback"):
            return [self.url, legacy]
        return [legacy]


def parse_login_url(raw):
    s = raw.strip()
    if any(c.isspace() for c in s):
        raise ValueError("the login URL contains spaces")
    if "://" not in s:
        s = "https://" + s
    try:
        u = urlsplit(s)
        port = u.port
    except ValueError:
        raise ValueError("not a web address")
    scheme = u.scheme.lower()
    if scheme not in ("https", "http"):
        raise ValueError("must start with https://")
    if not u.netloc or not u.hostname:
        raise ValueError("not a web address")
    if u.username is not None or "@" in u.netloc:
        raise ValueError("the login URL contains a user name or password")
    host = u.hostname.lower().rstrip(".")
    if any(ord(c) < 0x21 or ord(c) > 0x7E for c in host):
        raise ValueError("the host has a character that is not plain ASCII: it may be a look-alike of a Salesforce host")
    if any(label.startswith("xn--") for label in host.split(".")):
        raise ValueError("the host has an internationalised (xn--) name: it may be a look-alike of a Salesforce host")
    if host.endswith(".localhost") or (":" in host and not is_loopback(host)):
        raise ValueError("not a Salesforce login host (this machine is only localhost, 127.0.0.1 or [::1])")
    loop = is_loopback(host)
    if not loop and (not valid_name(host) or "." not in host):
        raise ValueError("not a web address")
    host_port = "[" + host + "]" if ":" in host else host
    if port is not None:
        host_port += ":" + str(port)
    on_page = False
    if loop:
        path = u.path
        i = path.lower().find("/services/oauth2")
        if i >= 0:
            path = path[:i]
        login = LoginURL(scheme + "://" + host_port + path.rstrip("/"), "loopback")
    else:
        login, on_page = classify(host, u.path)
        if port is not None and port != 443:
            raise ValueError("Salesforce login URLs have no port number")
    if not on_page and (u.query or u.fragment or "?" in s or "#" in s):
        raise ValueError("the login URL has a query (?…) or fragment (#…) part")
    if scheme == "http" and not loop:
        raise ValueError("plain http://: Salesforce only answers over https://")
    return login


def classify(host, path):
    origin = "https://" + host
    if host == "login.salesforce.com":
        return LoginURL(origin, "production"), False
    if host == "test.salesforce.com":
        return LoginURL(origin, "sandbox"), False
    for my, lightning in MY_DOMAIN_SUFFIXES:
        if host.endswith(lightning) and valid_name(host[:-len(lightning)]):
            raise ValueError(f"{host} is a Lightning Experience address, not a login host: use https://{host[:-len(lightning)]}{my}")
    if any(host.endswith(s) for s in NOT_LOGIN_HOSTS):
        raise ValueError(f"{host} is not a login host: use the org's My Domain login URL")
    for my, _ in MY_DOMAIN_SUFFIXES:
        name = host[:-len(my)]
        if host.endswith(my) and valid_name(name):
            sandbox = name.endswith(".sandbox") or name.endswith(".scratch")
            return LoginURL(origin, "mydomain-sandbox" if sandbox else "mydomain"), False
    for suffix in (".my.site.com", ".force.com"):
        if host.endswith(suffix) and valid_name(host[:-len(suffix)]):
            site, on_page = site_path(path)
            return LoginURL(origin + site, "site"), on_page
    raise ValueError(f"{host} is not a Salesforce login host: use https://login.salesforce.com, "
                     "https://test.salesforce.com or the org's My Domain URL")


def site_path(path):
    """An Experience Cloud site's own path, from an address copied while on one of its pages or endpoints."""
    segs = path.strip("/").split("/")

    def join(s):
        j = "/".join(s).strip("/")
        return "/" + j if j else ""
    for i, seg in enumerate(segs):
        if seg.lower() in ("s", "secur"):
            return join(segs[:i]), True
        if seg.lower() == "services":
            return join(segs[:i]), False
    if segs[-1].lower() == "login":
        return join(segs[:-1]), True
    return join(segs), False


def check_web_address(raw):
    """An https URL (or http on this machine), without a trailing slash."""
    s = raw.rstrip("/")
    try:
        u = urlsplit(s)
        u.port
    except ValueError:
        raise ValueError("not a plain https:// address")
    if not u.hostname or u.username is not None or u.query or u.fragment:
        raise ValueError("not a plain https:// address")
    if u.scheme != "https" and not (u.scheme == "http" and is_loopback(u.hostname)):
        raise ValueError("not an https:// address")
    return s


class Settings:
    def __init__(self):
        env = lambda name: os.environ.get(name, "").strip()  # noqa: E731

        def need(name):
            value = env(name)
            if not value:
                fail(f"{name} is missing: set it in the environment or in .env")
            return value

        def check(name, fn, value):
            try:
                return fn(value)
            except ValueError as err:
                fail(f"{name}: {err}")

        self.login = check("SF_LOGIN_URL", parse_login_url, need("SF_LOGIN_URL"))
        self.client_id = need("SF_CLIENT_ID")
        if any(c.isspace() for c in self.client_id):
            fail("SF_CLIENT_ID: the consumer key has a space or line break inside it")
        self.username = need("SF_USERNAME")
        if any(c.isspace() for c in self.username) or "@" not in self.username:
            fail("SF_USERNAME: a Salesforce username looks like an email address (embed@acme.com)")
        self.key = check("SF_PRIVATE_KEY", load_key, need("SF_PRIVATE_KEY"))
        self.audience = check("SF_AUDIENCE", check_web_address, env("SF_AUDIENCE")) if env("SF_AUDIENCE") else ""
        self.org_url = check("SF_ORG_URL", check_web_address, env("SF_ORG_URL")) if env("SF_ORG_URL") else ""
        self.host = (env("HOST") or "127.0.0.1").strip("[]")
        port = env("PORT") or "3000"
        if not (port.isascii() and port.isdigit() and len(port) <= 5 and int(port) <= 65535):
            fail("PORT: not a port number (0 to 65535)")
        self.port = int(port)
        self.allowed_hosts = []
        for h in env("ALLOWED_HOSTS").split(","):
            h = h.strip().lower()
            if not h:
                continue
            if any(c in h for c in "/@ \t?#*") or h.startswith(":"):
                fail("ALLOWED_HOSTS: give host names as in the Host header (app.acme.com), comma-separated, "
                     "without https:// or a path")
            self.allowed_hosts.append(h)


def load_key(text):
    try:
        key = serialization.load_pem_private_key(text.replace("\\n", "\n").encode(), password=None)
    except (ValueError, TypeError):
        raise ValueError("not a PEM private key (-----BEGIN PRIVATE KEY-----; an encrypted key is not supported)")
    except Exception:
        raise ValueError("not a PEM private key (-----BEGIN PRIVATE KEY-----)")
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA key: Salesforce signs with RS256 only")
    if key.key_size < 2048:
        raise ValueError(f"an RSA key of {key.key_size} bits; Salesforce needs at least 2048")
    return key


CFG = Settings()

# ---- The credential ----


class SalesforceError(Exception):
    """A refusal or failure of one Salesforce call, safe to show: Salesforce's
    own words (redacted), never the key, the assertion or a token."""

    def __init__(self, phase, code, description, status=0, token_refused=False):
        super().__init__(f"{phase} {code}: {description}")
        self.phase, self.code, self.description = phase, code, description
        self.status, self.token_refused = status, token_refused

    def copy(self):
        return SalesforceError(self.phase, self.code, self.description, self.status, self.token_refused)


def clean(text):
    """Text from a server, safe for a reply or a log line: no control or
    bidirectional characters, one line, at most 500 characters."""
    out, space = [], False
    for c in str(text):
        o = ord(c)
        if o <= 0x20 or 0x7F <= o < 0xA0 or 0x202A <= o <= 0x202E or 0x2066 <= o <= 0x2069 \
                or o in (0x200E, 0x200F, 0x061C, 0xFFFD) or c.isspace():
            if not space and out:
                out.append(" ")
            space = True
            continue
        space = False
        out.append(c)
    s = "".join(out).strip()
    return s[:500].rstrip() + "…" if len(s) > 500 else s


def scrub(text, *secrets):
    """clean, and each secret removed: whole, URL-encoded, or any 12 or more
    characters of it, in case a server echoes what it got."""
    redacted = "[redacted]"
    s = clean(text)
    for secret in secrets:
        if not secret:
            continue
        for form in (secret, quote_plus(secret, safe=""), quote(secret, safe="")):
            s = s.replace(form, redacted)
        for i in range(len(secret) - 11):
            s = s.replace(secret[i:i + 12], redacted)
    while redacted + redacted in s:
        s = s.replace(redacted + redacted, redacted)
    return s


SESSION = requests.Session()
SESSION.mount("https://", requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=64))
SESSION.mount("http://", requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=64))
# HTTPS_PROXY and NO_PROXY are read once per Salesforce host, not on every
# call, and never ~/.netrc (whose password requests would send).
SESSION.trust_env = False
PROXIES = {}


def proxies_for(url):
    origin = "://".join(urlsplit(url)[:2])
    if origin not in PROXIES:
        PROXIES[origin] = requests.utils.get_environ_proxies(url)
    return PROXIES[origin]


def post(phase, url, data, bearer=None):
    """Sends a form and reads the reply, within TIMEOUT and MAX_REPLY."""
    host = clean(urlsplit(url).netloc)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    if bearer:
        headers["Authorization"] = "Bearer " + bearer
    deadline = time.monotonic() + TIMEOUT
    timeout = SalesforceError(phase, "timeout", f"no answer from {host} within {TIMEOUT} s")
    try:
        with SESSION.post(url, data=data, headers=headers, timeout=(TIMEOUT, TIMEOUT), proxies=proxies_for(url),
                          allow_redirects=False, stream=True) as r:
            body = bytearray()
            for chunk in r.iter_content(chunk_size=16384):
                body += chunk
                if len(body) > MAX_REPLY:
                    raise SalesforceError(phase, "too_large", f"{host} sent more than 1 MiB, which is not a Salesforce answer",
                                          r.status_code)
                if time.monotonic() > deadline:
                    raise timeout
            status = r.status_code
    except requests.RequestException as err:  # a read that timed out comes as a ConnectionError
        if isinstance(err, requests.Timeout) or time.monotonic() >= deadline:
            raise timeout
        raise SalesforceError(phase, "connection", f"cannot reach {host}")
    text = body.decode("utf-8", "replace")
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    return status, text, parsed


def server_error(phase, status, data, *secrets):
    words = ""
    if isinstance(data, dict) and isinstance(data.get("error"), str) and data["error"]:
        desc = data.get("error_description") if isinstance(data.get("error_description"), str) else ""
        words = ": " + scrub(data["error"] + " " + desc, *secrets)
    return SalesforceError(phase, "server", f"Salesforce answered HTTP {status}{words}; try again in a few minutes", status)


class Token:
    def __init__(self, access, instance):
        self.access, self.instance, self.at = access, instance, time.monotonic()


def check_instance(raw):
    """The token goes only to https on a Salesforce host, or to this machine
    when the login URL is this machine too."""
    try:
        u = urlsplit(raw.strip())
        u.port
    except (ValueError, AttributeError):
        u = None
    if not raw or u is None or not u.netloc or not u.hostname:
        raise SalesforceError("token", "bad_reply", "the token reply has no usable instance_url", 200)
    where = clean(u.scheme + "://" + u.netloc.rpartition("@")[2])

    def unsafe(why):
        return SalesforceError("token", "unsafe_host",
                               f"the token reply's instance_url {where} {why}, so the access token will not be sent there", 200)
    if u.username is not None or "@" in u.netloc:
        raise unsafe("carries a user name")
    if not (CFG.login.kind == "loopback" and is_loopback(u.hostname) and u.scheme in ("http", "https")):
        if u.scheme != "https":
            raise unsafe("is not https")
        if not is_salesforce_host(u.hostname):
            raise unsafe("is not a Salesforce host")
    return u._replace(path=u.path.rstrip("/"), query="", fragment="")


def request_token(aud):
    assertion = jwt.encode({"iss": CFG.client_id, "sub": CFG.username, "aud": aud, "exp": int(time.time()) + 180},
                           CFG.key, algorithm="RS256")
    secrets = (assertion, CFG.client_id)
    status, _, data = post("token", CFG.login.url + "/services/oauth2/token",
                           {"grant_type": JWT_BEARER, "assertion": assertion})
    if 300 <= status < 400:
        raise SalesforceError("token", "redirect", f"the token request was redirected (HTTP {status}); check SF_LOGIN_URL", status)
    if 400 <= status < 500:
        if not isinstance(data, dict) or not isinstance(data.get("error"), str) or not data["error"]:
            raise SalesforceError("token", "bad_reply", f"HTTP {status}, not a Salesforce OAuth answer: check SF_LOGIN_URL", status)
        desc = data.get("error_description") if isinstance(data.get("error_description"), str) else ""
        raise SalesforceError("token", scrub(data["error"], *secrets), scrub(desc, *secrets), status)
    if not 200 <= status < 300:
        raise server_error("token", status, data, *secrets)
    if not isinstance(data, dict):
        raise SalesforceError("token", "bad_reply", "the token reply is not JSON", status)
    access = data.get("access_token")
    if not isinstance(access, str) or not access:
        raise SalesforceError("token", "bad_reply", "the token reply has no access_token", status)
    instance = data.get("instance_url")
    return Token(access, check_instance(instance if isinstance(instance, str) else ""))


def wrong_audience(err):
    if not isinstance(err, SalesforceError) or err.phase != "token" or not 400 <= err.status < 500:
        return False
    code = err.code.lower()
    return code == "app_not_found" or (code == "invalid_grant" and "audience is invalid" in err.description.lower())


def single_access_refusal(status, text, data, *secrets):
    """A 4xx from singleaccess: Salesforce answers bare text (Bad_OAuth_Token),
    the REST shape or the OAuth shape."""
    code = desc = ""
    if isinstance(data, list) and data and isinstance(data[0], dict):
        code = scrub(data[0].get("errorCode") if isinstance(data[0].get("errorCode"), str) else "", *secrets)
        desc = scrub(data[0].get("message") if isinstance(data[0].get("message"), str) else "", *secrets)
    elif isinstance(data, dict):
        code = scrub(data.get("error") if isinstance(data.get("error"), str) else "", *secrets)
        desc = scrub(data.get("error_description") if isinstance(data.get("error_description"), str) else "", *secrets)
    elif not text.strip().startswith("<"):
        desc = scrub(text, *secrets)
    for word in ("Bad_OAuth_Token", "Invalid_Scope"):
        if word in text:
            if desc in (word, code):
                desc = ""
            code = word
    refused = status == 401 or code == "Bad_OAuth_Token"
    if not code:
        if not desc:
            return SalesforceError("singleaccess", "bad_reply", f"HTTP {status}, not a Salesforce answer", status)
        code = f"HTTP_{status}"
    return SalesforceError("singleaccess", code, desc, status, refused)


def lightning_url(instance):
    """https://acme.my.salesforce.com -> https://acme.lightning.force.com; this machine stays itself."""
    host = instance.hostname.lower()
    if not is_loopback(host):
        for my, lightning in MY_DOMAIN_SUFFIXES:
            if host.endswith(my):
                return "https://" + host[:-len(my)] + lightning
    return (instance.scheme + "://" + instance.netloc).lower()


def single_access(tok):
    secrets = (tok.access, CFG.client_id)
    base = tok.instance.geturl()
    status, text, data = post("singleaccess", base + "/services/oauth2/singleaccess", {}, bearer=tok.access)
    if 300 <= status < 400:
        raise SalesforceError("singleaccess", "redirect", f"the singleaccess request was redirected (HTTP {status}); "
                              "it carries the access token, so it is not followed", status)
    if 400 <= status < 500:
        raise single_access_refusal(status, text, data, *secrets)
    if not 200 <= status < 300:
        raise server_error("singleaccess", status, data, *secrets)
    fd = data.get("frontdoor_uri") if isinstance(data, dict) else None
    if not isinstance(fd, str) or not fd:
        raise SalesforceError("singleaccess", "bad_reply", "the singleaccess reply has no frontdoor_uri", status)
    try:
        u = urlsplit(fd)
        u.port
    except ValueError:
        raise SalesforceError("singleaccess", "bad_reply", "the frontdoor_uri is not a web address", status)
    if not u.netloc:
        raise SalesforceError("singleaccess", "bad_reply", "the frontdoor_uri is not a web address", status)
    inst = tok.instance
    if u.netloc.lower() != inst.netloc.lower() or u.scheme != inst.scheme or u.username is not None:
        raise SalesforceError("singleaccess", "unsafe_host", f"the frontdoor_uri points at {clean(u.scheme + '://' + u.netloc)}, "
                              f"not the org's {clean(inst.scheme + '://' + inst.netloc)}: refusing to use it", status)
    return {"authCredential": fd, "orgUrl": CFG.org_url or lightning_url(inst)}


class Flight:
    def __init__(self):
        self.done = threading.Event()
        self.token = None
        self.error = None


class Credentials:
    """The access token, cached; one login at a time, shared by every
    request that needs it; a pause after a failed one."""

    def __init__(self):
        self.lock = threading.Lock()
        self.token = None
        self.inflight = None
        self.failed = None
        self.retry_at = 0.0

    def access_token(self):
        """The cached token, or the one a login shared with every caller that
        asks while it runs brings. fresh says it comes from that login."""
        with self.lock:
            if self.token is not None and time.monotonic() - self.token.at < TOKEN_REUSE:
                return self.token, False
            flight, starter = self.inflight, False
            if flight is None:
                if self.failed is not None and time.monotonic() < self.retry_at:
                    raise self.failed.copy()
                flight = self.inflight = Flight()
                starter = True
        if starter:
            try:
                flight.token = self.sign_in()
            except Exception as err:  # shared with every waiter, then raised
                flight.error = err
            with self.lock:
                self.token, self.inflight = flight.token, None
                if flight.error is not None:
                    self.failed, self.retry_at = flight.error, time.monotonic() + BACKOFF
                else:
                    self.failed = None
            flight.done.set()
        else:
            flight.done.wait()
        if flight.error is not None:
            err = flight.error
            raise err.copy() if isinstance(err, SalesforceError) else err
        return flight.token, True

    def forget(self, tok, err, fresh):
        """Drops tok when it is still the cached one; a token just issued and
        refused at once counts as a failed login (back off)."""
        with self.lock:
            if self.token is tok:
                self.token = None
            if fresh:
                self.failed, self.retry_at = err, time.monotonic() + BACKOFF

    def sign_in(self):
        """The token request, finding the audience when SF_AUDIENCE is empty.
        Logins never overlap (one flight at a time)."""
        auds = [CFG.audience] if CFG.audience else CFG.login.audiences()
        for i, aud in enumerate(auds):
            try:
                tok = request_token(aud)
            except SalesforceError as err:
                if i + 1 < len(auds) and wrong_audience(err):
                    log(f"SF_AUDIENCE: {aud} was refused ({err}); trying {auds[i + 1]}")
                    continue
                log(f"auth-credential: {err}")
                raise
            if not CFG.audience and len(auds) > 1:
                log(f"SF_AUDIENCE: {aud} works for this org (set it in .env to skip finding it)")
            CFG.audience = aud
            return tok
        raise RuntimeError("no audience to try")

    def frontdoor(self, tok):
        """single_access, its failures logged (the URL never is)."""
        try:
            return single_access(tok)
        except SalesforceError as err:
            log(f"auth-credential: {err}")
            raise

    def get(self):
        tok, fresh = self.access_token()
        try:
            return self.frontdoor(tok)
        except SalesforceError as err:
            if not err.token_refused:
                raise
            self.forget(tok, err, fresh)
            if fresh:
                raise
        # Expired or revoked: sign in again, once.
        tok, _ = self.access_token()
        try:
            return self.frontdoor(tok)
        except SalesforceError as err:
            if err.token_refused:
                self.forget(tok, err, True)
            raise


CREDENTIALS = Credentials()

# ---- HTTP ----

app = Flask(__name__, static_folder=None)
logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request


def host_allowed(host):
    """Only requests addressed to a host this server serves: localhost,
    127.0.0.1 or [::1] on its port, or ALLOWED_HOSTS (a name alone: any
    port). A web page whose name is made to point here (DNS rebinding)
    gets nothing."""
    host = host.lower()
    if host in (f"localhost:{CFG.port}", f"127.0.0.1:{CFG.port}", f"[::1]:{CFG.port}"):
        return True
    name = host.rsplit(":", 1)[0] if host.rsplit(":", 1)[-1].isdigit() and not host.endswith("]") else host
    return host in CFG.allowed_hosts or name in CFG.allowed_hosts


@app.before_request
def check_host():
    if not host_allowed(request.headers.get("Host", "")):
        return Response("Misdirected Request: this server does not answer for that host name (see ALLOWED_HOSTS)\n",
                        status=421, mimetype="text/plain")
    return None


@app.after_request
def security_headers(response):
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def same_origin():
    """This app's own page (Sec-Fetch-Site: same-origin, or an Origin naming
    this host); a request with neither, such as curl, only from this machine."""
    site, origin = request.headers.get("Sec-Fetch-Site"), request.headers.get("Origin")
    host = request.headers.get("Host", "").lower()
    own = origin is not None and origin.lower() in (f"http://{host}", f"https://{host}")
    if site:
        return site == "same-origin" and (not origin or own)
    if origin:
        return own
    return is_loopback(request.remote_addr or "")


# Protect this route as you protect the rest of your app (your own login
# goes here): whoever can call it is signed in to Salesforce as SF_USERNAME.
@app.route("/auth-credential", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def auth_credential():
    if request.method != "GET":
        reply = jsonify(error="method_not_allowed", error_description="use GET"), 405, {"Allow": "GET"}
    elif not same_origin():
        reply = jsonify(error="forbidden", error_description="only this app's own page may ask for a credential"), 403
    else:
        try:
            reply = jsonify(CREDENTIALS.get()), 200
        except SalesforceError as err:
            reply = jsonify(error=err.code, error_description=err.description, phase=err.phase), 502
        except Exception as err:  # never a secret: only the kind of failure
            log(f"auth-credential: internal error ({type(err).__name__})")
            reply = jsonify(error="internal_error", error_description="the server could not get a credential; see its log"), 500
    response = app.make_response(reply)
    response.headers["Cache-Control"] = "no-store"
    return response


PAGE = {}
for _name, _type in (("index.html", "text/html; charset=utf-8"), ("app.mjs", "text/javascript; charset=utf-8"),
                     ("words.mjs", "text/javascript; charset=utf-8"), ("embed.css", "text/css; charset=utf-8"),
                     ("sdk/sdk-bundle.module.js", "text/javascript; charset=utf-8")):
    try:
        with open(os.path.join(HERE, "static", _name), "rb") as _f:
            PAGE["/" if _name == "index.html" else "/" + _name] = (_type, _f.read())
    except OSError:
        if not _name.startswith("sdk/"):
            fail(f"the page: cannot read static/{_name}")


@app.route("/", defaults={"path": ""})
@app.route("/<path:path>")
def page(path):
    f = PAGE.get("/" + path)
    if f is None or request.method not in ("GET", "HEAD"):
        return Response("Not Found\n", status=404, mimetype="text/plain")
    return Response(f[1], content_type=f[0])


def main():
    from werkzeug.serving import make_server
    try:
        server = make_server(CFG.host, CFG.port, app, threaded=True)
    except OSError as err:
        fail(f"HOST/PORT: cannot listen on {CFG.host}:{CFG.port}: {err.strerror}")
    host, port = server.server_address[0], server.server_port
    CFG.port = port
    print(f"listening on http://{'[' + host + ']' if ':' in host else host}:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
