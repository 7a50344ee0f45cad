// Serves the Tableau Next Embedding SDK's auth credential: a single-use
// frontdoor URL obtained server to server with the Salesforce OAuth 2.0 JWT
// bearer flow, and the page that embeds a dashboard with it.
//
//   java Server.java        (Java 17 or later; reads ./.env when present)
//
// GET /auth-credential -> {"authCredential": "<frontdoor URL>", "orgUrl": "<Lightning URL>"}
//
// Settings come from the environment, or from .env in the folder it is
// started from (variables already set win): SF_LOGIN_URL, SF_AUDIENCE
// (empty: found as tnjwt finds it), SF_CLIENT_ID, SF_USERNAME,
// SF_PRIVATE_KEY (PEM; "\n" escapes are accepted), SF_ORG_URL (empty:
// worked out from instance_url), PORT (3000), HOST (127.0.0.1) and
// ALLOWED_HOSTS.
//
// The JDK alone: java.net.http for Salesforce, com.sun.net.httpserver for
// the page, java.security for the RS256 signature, and a small JSON reader.
// Written by tnjwt; the same contract as its Express, Flask, Go and Sinatra
// servers (see README.md).

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public final class Server {
    static final int TIMEOUT_SECONDS = 10; // each Salesforce request, reply included
    static final int MAX_REPLY = 1 << 20; // Salesforce's replies are a few hundred bytes
    // The token reply does not say how long the session lasts: it is the
    // org's (or the app's) session timeout, which an admin can set as low as
    // 15 minutes. A token is reused for 14 minutes at most; a token refused
    // sooner (revoked, or a shorter timeout) is re-signed once at once.
    static final long TOKEN_REUSE_NANOS = TimeUnit.MINUTES.toNanos(14);
    static final long BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5); // no new login this long after a failed one
    static final String JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    public static void main(String[] args) throws Exception {
        Map<String, String> env = new HashMap<>();
        try {
            env.putAll(readDotEnv(Path.of(".env")));
        } catch (IOException | IllegalArgumentException e) {
            fail(".env: " + e.getMessage());
        }
        env.putAll(System.getenv()); // variables already set win
        Settings cfg = null;
        try {
            cfg = Settings.read(env);
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
        }
        Map<String, StaticFile> page = loadStatic(Path.of("static"));
        // Without it the JDK's server sends a reply's headers and body in two packets, the second after the
        // client's delayed ACK: 40 ms a request.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(cfg.host), cfg.port), 128);
        } catch (IOException e) {
            fail("HOST/PORT: cannot listen on " + cfg.host + ":" + cfg.port + ": " + e.getMessage());
            return;
        }
        InetSocketAddress bound = server.getAddress();
        App app = new App(cfg, page, bound.getPort());
        server.createContext("/", app::handle);
        server.setExecutor(Executors.newFixedThreadPool(32));
        server.start();
        String host = bound.getAddress() instanceof Inet6Address ? "[" + bound.getAddress().getHostAddress() + "]"
                : bound.getAddress().getHostAddress();
        System.out.println("listening on http://" + host + ":" + bound.getPort());
        System.out.flush();
    }

    static void fail(String message) {
        System.err.println(message);
        System.exit(1);
    }

    static void log(String message) {
        System.err.println(message);
    }

    /** KEY=value lines, # comments, values in single quotes (as they are) or double quotes (\n, \" and \\ escapes). */
    static Map<String, String> readDotEnv(Path path) throws IOException {
        Map<String, String> out = new HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return out;
        }
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring(7);
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("line " + n + " is not KEY=value");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1).replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\");
            } else if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
                value = value.substring(1, value.length() - 1);
            } else if (value.contains(" #")) {
                value = value.substring(0, value.indexOf(" #")).strip();
            }
            out.put(key, value);
        }
        return out;
    }

    // ---- Salesforce's login hosts, checked as tnjwt checks them ----

    /** Salesforce's registrable domains: the only hosts the access token goes to. */
    static final List<String> SALESFORCE_DOMAINS = List.of("salesforce.com", "force.com", "site.com", "my-salesforce.com",
            "my-lightning.com", "salesforce-sites.com", "cloudforce.com", "visualforce.com", "salesforce-setup.com",
            "salesforce.mil", "crmforce.mil", "sfcrmproducts.cn", "sfcrmapps.cn");
    /** My Domain suffixes and their Lightning ones. */
    static final String[][] MY_DOMAIN_SUFFIXES = {{".my.salesforce.com", ".lightning.force.com"},
            {".my-salesforce.com", ".my-lightning.com"}, {".my.salesforce.mil", ".lightning.crmforce.mil"},
            {".my.sfcrmproducts.cn", ".lightning.sfcrmapps.cn"}};
    static final List<String> NOT_LOGIN_HOSTS = List.of(".my.salesforce-setup.com", ".vf.force.com", ".file.force.com",
            ".visual.force.com", ".visualforce.com", ".salesforce-experience.com", ".content.force.com", ".container.force.com");
    static final Pattern URL_PARTS = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)([^?#]*)(\\?[^#]*)?(#.*)?$", Pattern.DOTALL);
    static final Pattern HOST_PORT = Pattern.compile("^(\\[[^\\]]*\\]|[^:]*)(?::(\\d*))?$");
    static final Pattern LABEL = Pattern.compile("^[a-z0-9-]+$");
    static final Pattern IPV4 = Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})$");

    static boolean isSalesforceHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        for (String d : SALESFORCE_DOMAINS) {
            if (h.endsWith("." + d)) {
                return true;
            }
        }
        return false;
    }

    /** The name localhost, 127.0.0.0/8 or ::1 (not names under .localhost, nor ::ffff:127.0.0.1). */
    static boolean isLoopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        Matcher m = IPV4.matcher(h);
        if (m.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(m.group(i)) > 255) {
                    return false;
                }
            }
            return m.group(1).equals("127");
        }
        if (!h.contains(":") || !h.matches("[0-9A-Fa-f:.]+")) {
            return false;
        }
        try {
            InetAddress a = InetAddress.getByName(h); // a literal: no name lookup
            return a instanceof Inet6Address && a.isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    static boolean validName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (String l : name.split("\\.", -1)) {
            if (l.isEmpty() || l.length() > 63 || !LABEL.matcher(l).matches() || l.startsWith("-") || l.endsWith("-")) {
                return false;
            }
        }
        return true;
    }

    enum Kind { PRODUCTION, SANDBOX, MY_DOMAIN, MY_DOMAIN_SANDBOX, SITE, LOOPBACK }

    record LoginURL(String url, Kind kind) {
        /** The order in which the JWT's aud is tried. */
        List<String> audiences() {
            String legacy = kind == Kind.SANDBOX || kind == Kind.MY_DOMAIN_SANDBOX
                    ? "https://test.salesforce.com" : "https://login.salesforce.com";
            return switch (kind) {
                case SITE -> List.of(url);
                case MY_DOMAIN, MY_DOMAIN_SANDBOX, LOOPBACK -> List.of(url, legacy);
                default -> List.of(legacy);
            };
        }
    }

    record Classified(LoginURL login, boolean onPage) {}

    static LoginURL parseLoginURL(String raw) {
        String s = raw.strip();
        if (s.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("the login URL contains spaces");
        }
        if (!s.contains("://")) {
            s = "https://" + s;
        }
        Matcher m = URL_PARTS.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a web address");
        }
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        String authority = m.group(2);
        String path = m.group(3);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new IllegalArgumentException("must start with https://");
        }
        if (authority.contains("@")) {
            throw new IllegalArgumentException("the login URL contains a user name or password");
        }
        Matcher hp = HOST_PORT.matcher(authority);
        if (!hp.matches() || hp.group(1).isEmpty()) {
            throw new IllegalArgumentException("not a web address");
        }
        String host = hp.group(1).toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        String port = hp.group(2) == null ? "" : hp.group(2);
        if (host.codePoints().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("the host has a character that is not plain ASCII: it may be a look-alike of a Salesforce host");
        }
        for (String label : host.split("\\.")) {
            if (label.startsWith("xn--")) {
                throw new IllegalArgumentException("the host has an internationalised (xn--) name: it may be a look-alike of a Salesforce host");
            }
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (host.endsWith(".localhost") || (bare.contains(":") && !isLoopback(bare))) {
            throw new IllegalArgumentException("not a Salesforce login host (this machine is only localhost, 127.0.0.1 or [::1])");
        }
        boolean loop = isLoopback(bare);
        if (!loop && (!validName(host) || !host.contains("."))) {
            throw new IllegalArgumentException("not a web address");
        }
        String hostPort = port.isEmpty() ? host : host + ":" + port;
        LoginURL login;
        boolean onPage = false;
        if (loop) {
            int i = path.toLowerCase(Locale.ROOT).indexOf("/services/oauth2");
            if (i >= 0) {
                path = path.substring(0, i);
            }
            login = new LoginURL(scheme + "://" + hostPort + path.replaceAll("/+$", ""), Kind.LOOPBACK);
        } else {
            Classified c = classify(host, path);
            login = c.login();
            onPage = c.onPage();
            if (!port.isEmpty() && !port.equals("443")) {
                throw new IllegalArgumentException("Salesforce login URLs have no port number");
            }
        }
        if (!onPage && (m.group(4) != null || m.group(5) != null)) {
            throw new IllegalArgumentException("the login URL has a query (?…) or fragment (#…) part");
        }
        if (scheme.equals("http") && !loop) {
            throw new IllegalArgumentException("plain http://: Salesforce only answers over https://");
        }
        return login;
    }

    static Classified classify(String host, String path) {
        String origin = "https://" + host;
        if (host.equals("login.salesforce.com")) {
            return new Classified(new LoginURL(origin, Kind.PRODUCTION), false);
        }
        if (host.equals("test.salesforce.com")) {
            return new Classified(new LoginURL(origin, Kind.SANDBOX), false);
        }
        for (String[] s : MY_DOMAIN_SUFFIXES) {
            if (host.endsWith(s[1]) && validName(host.substring(0, host.length() - s[1].length()))) {
                throw new IllegalArgumentException(host + " is a Lightning Experience address, not a login host: use https://"
                        + host.substring(0, host.length() - s[1].length()) + s[0]);
            }
        }
        for (String suffix : NOT_LOGIN_HOSTS) {
            if (host.endsWith(suffix)) {
                throw new IllegalArgumentException(host + " is not a login host: use the org's My Domain login URL");
            }
        }
        for (String[] s : MY_DOMAIN_SUFFIXES) {
            String name = host.endsWith(s[0]) ? host.substring(0, host.length() - s[0].length()) : "";
            if (host.endsWith(s[0]) && validName(name)) {
                boolean sandbox = name.endsWith(".sandbox") || name.endsWith(".scratch");
                return new Classified(new LoginURL(origin, sandbox ? Kind.MY_DOMAIN_SANDBOX : Kind.MY_DOMAIN), false);
            }
        }
        for (String suffix : List.of(".my.site.com", ".force.com")) {
            if (host.endsWith(suffix) && validName(host.substring(0, host.length() - suffix.length()))) {
                String[] segs = path.replaceAll("^/+|/+$", "").split("/", -1);
                for (int i = 0; i < segs.length; i++) {
                    String seg = segs[i].toLowerCase(Locale.ROOT);
                    if (seg.equals("s") || seg.equals("secur")) {
                        return new Classified(new LoginURL(origin + joinPath(segs, i), Kind.SITE), true);
                    }
                    if (seg.equals("services")) {
                        return new Classified(new LoginURL(origin + joinPath(segs, i), Kind.SITE), false);
                    }
                }
                if (segs[segs.length - 1].equalsIgnoreCase("login")) {
                    return new Classified(new LoginURL(origin + joinPath(segs, segs.length - 1), Kind.SITE), true);
                }
                return new Classified(new LoginURL(origin + joinPath(segs, segs.length), Kind.SITE), false);
            }
        }
        throw new IllegalArgumentException(host + " is not a Salesforce login host: use https://login.salesforce.com, "
                + "https://test.salesforce.com or the org's My Domain URL");
    }

    static String joinPath(String[] segs, int n) {
        String j = String.join("/", List.of(segs).subList(0, n)).replaceAll("^/+|/+$", "");
        return j.isEmpty() ? "" : "/" + j;
    }

    /** An https URL (or http on this machine), without a trailing slash. */
    static String checkWebAddress(String raw) {
        String s = raw.replaceAll("/+$", "");
        Matcher m = URL_PARTS.matcher(s);
        if (!m.matches() || m.group(2).isEmpty() || m.group(2).contains("@") || m.group(4) != null || m.group(5) != null) {
            throw new IllegalArgumentException("not a plain https:// address");
        }
        Matcher hp = HOST_PORT.matcher(m.group(2));
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        if (!hp.matches() || !(scheme.equals("https") || scheme.equals("http") && isLoopback(hp.group(1)))) {
            throw new IllegalArgumentException("not an https:// address");
        }
        return s;
    }

    static final class Settings {
        LoginURL login;
        volatile String audience; // "" until found
        String clientId, username, orgUrl, host;
        RSAPrivateKey key;
        int port;
        List<String> allowedHosts = new ArrayList<>();

        static Settings read(Map<String, String> env) {
            Settings cfg = new Settings();
            cfg.login = check("SF_LOGIN_URL", need(env, "SF_LOGIN_URL"), Server::parseLoginURL);
            cfg.clientId = need(env, "SF_CLIENT_ID");
            if (cfg.clientId.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("SF_CLIENT_ID: the consumer key has a space or line break inside it");
            }
            cfg.username = need(env, "SF_USERNAME");
            if (cfg.username.chars().anyMatch(Character::isWhitespace) || !cfg.username.contains("@")) {
                throw new IllegalArgumentException("SF_USERNAME: a Salesforce username looks like an email address (embed@acme.com)");
            }
            cfg.key = check("SF_PRIVATE_KEY", need(env, "SF_PRIVATE_KEY"), Server::loadKey);
            String aud = get(env, "SF_AUDIENCE");
            cfg.audience = aud.isEmpty() ? "" : check("SF_AUDIENCE", aud, Server::checkWebAddress);
            String org = get(env, "SF_ORG_URL");
            cfg.orgUrl = org.isEmpty() ? "" : check("SF_ORG_URL", org, Server::checkWebAddress);
            cfg.host = get(env, "HOST").isEmpty() ? "127.0.0.1" : get(env, "HOST").replaceAll("^\\[|\\]$", "");
            String port = get(env, "PORT").isEmpty() ? "3000" : get(env, "PORT");
            if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
                throw new IllegalArgumentException("PORT: not a port number (0 to 65535)");
            }
            cfg.port = Integer.parseInt(port);
            for (String h : get(env, "ALLOWED_HOSTS").split(",")) {
                h = h.strip().toLowerCase(Locale.ROOT);
                if (h.isEmpty()) {
                    continue;
                }
                if (h.matches(".*[/@\\s?#*].*") || h.startsWith(":")) {
                    throw new IllegalArgumentException("ALLOWED_HOSTS: give host names as in the Host header (app.acme.com), "
                            + "comma-separated, without https:// or a path");
                }
                cfg.allowedHosts.add(h);
            }
            return cfg;
        }

        static String get(Map<String, String> env, String name) {
            return env.getOrDefault(name, "").strip();
        }

        static String need(Map<String, String> env, String name) {
            String v = get(env, name);
            if (v.isEmpty()) {
                throw new IllegalArgumentException(name + " is missing: set it in the environment or in .env");
            }
            return v;
        }

        static <T> T check(String name, String value, java.util.function.Function<String, T> fn) {
            try {
                return fn.apply(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage());
            }
        }
    }

    /** A PEM RSA private key: PKCS#8 (BEGIN PRIVATE KEY) or PKCS#1 (BEGIN RSA PRIVATE KEY). */
    static RSAPrivateKey loadKey(String text) {
        String pem = text.replace("\\n", "\n");
        boolean pkcs1 = pem.contains("-----BEGIN RSA PRIVATE KEY-----");
        if (!pkcs1 && !pem.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new IllegalArgumentException("not a PEM private key (-----BEGIN PRIVATE KEY-----; an encrypted key is not supported)");
        }
        try {
            String b64 = pem.replaceAll("-----(BEGIN|END) (RSA )?PRIVATE KEY-----", "").replaceAll("\\s", "");
            byte[] der = Base64.getDecoder().decode(b64);
            if (pkcs1) { // wrap it: SEQUENCE { 0, SEQUENCE { rsaEncryption, NULL }, OCTET STRING { key } }
                byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                body.writeBytes(new byte[] {0x02, 0x01, 0x00});
                body.writeBytes(algorithm);
                body.writeBytes(der(0x04, der));
                der = der(0x30, body.toByteArray());
            }
            RSAPrivateKey key = (RSAPrivateKey) KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
            if (key.getModulus().bitLength() < 2048) {
                throw new IllegalArgumentException("an RSA key of " + key.getModulus().bitLength() + " bits; Salesforce needs at least 2048");
            }
            if (!(key instanceof RSAPrivateCrtKey)) {
                throw new IllegalArgumentException("not a complete RSA private key");
            }
            return key;
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("an RSA key")) {
                throw e;
            }
            throw new IllegalArgumentException("not a PEM RSA private key (an encrypted key is not supported)");
        } catch (Exception e) {
            throw new IllegalArgumentException("not a PEM RSA private key (-----BEGIN PRIVATE KEY-----)");
        }
    }

    static byte[] der(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            byte[] len = java.math.BigInteger.valueOf(n).toByteArray();
            int skip = len[0] == 0 ? 1 : 0;
            out.write(0x80 | (len.length - skip));
            out.write(len, skip, len.length - skip);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    // ---- The credential ----

    /** A refusal or failure of one Salesforce call, safe to show: Salesforce's own words (redacted), never a secret. */
    static final class SalesforceError extends Exception {
        private static final long serialVersionUID = 1L;
        final String phase, code, description;
        final int status;
        final boolean tokenRefused;

        SalesforceError(String phase, String code, String description, int status, boolean tokenRefused) {
            super(phase + " " + code + ": " + description, null, false, false);
            this.phase = phase;
            this.code = code;
            this.description = description;
            this.status = status;
            this.tokenRefused = tokenRefused;
        }

        SalesforceError(String phase, String code, String description, int status) {
            this(phase, code, description, status, false);
        }
    }

    /** Text from a server, safe for a reply or a log line: no control or bidirectional characters, one line, at most 500 characters. */
    static String clean(String text) {
        StringBuilder b = new StringBuilder();
        boolean space = false;
        int n = 0;
        for (int c : (text == null ? "" : text).codePoints().toArray()) {
            if (c <= 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
                    || c == 0x200e || c == 0x200f || c == 0x061c || c == 0xfffd || Character.isWhitespace(c)) {
                if (!space && b.length() > 0) {
                    b.append(' ');
                    n++;
                }
                space = true;
                continue;
            }
            space = false;
            if (n >= 500) {
                return b.toString().stripTrailing() + "…";
            }
            b.appendCodePoint(c);
            n++;
        }
        return b.toString().strip();
    }

    /** clean, and each secret removed: whole, URL-encoded, or any 12 or more characters of it, in case a server echoes what it got. */
    static String scrub(String text, String... secrets) {
        String redacted = "[redacted]";
        String s = clean(text);
        for (String secret : secrets) {
            if (secret == null || secret.isEmpty()) {
                continue;
            }
            String query = URLEncoder.encode(secret, StandardCharsets.UTF_8);
            for (String form : List.of(secret, query, query.replace("+", "%20"))) {
                s = s.replace(form, redacted);
            }
            for (int i = 0; i + 12 <= secret.length(); i++) {
                s = s.replace(secret.substring(i, i + 12), redacted);
            }
        }
        while (s.contains(redacted + redacted)) {
            s = s.replace(redacted + redacted, redacted);
        }
        return s;
    }

    record Reply(int status, String text, Object data) {}

    record Token(String access, URI instance, long at) {}

    static final class App {
        final Settings cfg;
        final Map<String, StaticFile> page;
        final int port;
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(TIMEOUT_SECONDS))
                .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.getDefault()).build(); // -Dhttps.proxyHost, -Dhttp.nonProxyHosts
        final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "salesforce-deadline");
            t.setDaemon(true);
            return t;
        });

        private Token token;
        private CompletableFuture<Token> inflight;
        private SalesforceError failed;
        private long retryAt;

        App(Settings cfg, Map<String, StaticFile> page, int port) {
            this.cfg = cfg;
            this.page = page;
            this.port = port;
        }

        /** Sends a form and reads the reply, within TIMEOUT_SECONDS and MAX_REPLY. */
        Reply post(String phase, String url, String form, String bearer) throws SalesforceError {
            URI uri = URI.create(url);
            String host = clean(uri.getRawAuthority());
            SalesforceError timeout = new SalesforceError(phase, "timeout", "no answer from " + host + " within " + TIMEOUT_SECONDS + " s", 0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(TIMEOUT_SECONDS))
                    .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(form));
            if (bearer != null) {
                req.header("Authorization", "Bearer " + bearer);
            }
            HttpResponse<InputStream> res;
            try {
                res = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (HttpTimeoutException e) {
                throw timeout;
            } catch (IOException e) {
                throw System.nanoTime() >= deadline ? timeout : new SalesforceError(phase, "connection", "cannot reach " + host, 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SalesforceError(phase, "connection", "interrupted", 0);
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            InputStream in = res.body();
            // The whole reply within the deadline: a server that drips is cut off.
            var cut = timer.schedule(() -> {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // closing is all that is wanted
                }
            }, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            try (in) {
                byte[] buf = new byte[16384];
                for (int n; (n = in.read(buf)) != -1; ) {
                    body.write(buf, 0, n);
                    if (body.size() > MAX_REPLY) {
                        throw new SalesforceError(phase, "too_large", host + " sent more than 1 MiB, which is not a Salesforce answer", res.statusCode());
                    }
                }
            } catch (IOException e) {
                throw System.nanoTime() >= deadline ? timeout : new SalesforceError(phase, "connection", "cannot reach " + host, 0);
            } finally {
                cut.cancel(false);
            }
            if (System.nanoTime() >= deadline) {
                throw timeout;
            }
            String text = body.toString(StandardCharsets.UTF_8);
            Object data;
            try {
                data = Json.parse(text);
            } catch (IllegalArgumentException e) {
                data = null;
            }
            return new Reply(res.statusCode(), text, data);
        }

        static String str(Object map, String key) {
            return map instanceof Map<?, ?> m && m.get(key) instanceof String v ? v : "";
        }

        static SalesforceError serverError(String phase, int status, Object data, String... secrets) {
            String words = str(data, "error").isEmpty() ? "" : ": " + scrub(str(data, "error") + " " + str(data, "error_description"), secrets);
            return new SalesforceError(phase, "server", "Salesforce answered HTTP " + status + words + "; try again in a few minutes", status);
        }

        String assertion(String aud) throws Exception {
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
            Map<String, Object> claims = new LinkedHashMap<>();
            claims.put("iss", cfg.clientId);
            claims.put("sub", cfg.username);
            claims.put("aud", aud);
            claims.put("exp", System.currentTimeMillis() / 1000 + 180);
            String body = b64.encodeToString(Json.write(claims).getBytes(StandardCharsets.UTF_8));
            Signature sig = Signature.getInstance("SHA256withRSA");
            sig.initSign(cfg.key);
            sig.update((header + "." + body).getBytes(StandardCharsets.US_ASCII));
            return header + "." + body + "." + b64.encodeToString(sig.sign());
        }

        static String form(Map<String, String> fields) {
            StringBuilder b = new StringBuilder();
            fields.forEach((k, v) -> b.append(b.length() > 0 ? "&" : "").append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                    .append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
            return b.toString();
        }

        Token requestToken(String aud) throws Exception {
            String jwt = assertion(aud);
            String[] secrets = {jwt, cfg.clientId};
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("grant_type", JWT_BEARER);
            fields.put("assertion", jwt);
            Reply r = post("token", cfg.login.url() + "/services/oauth2/token", form(fields), null);
            int status = r.status();
            if (status >= 300 && status < 400) {
                throw new SalesforceError("token", "redirect", "the token request was redirected (HTTP " + status + "); check SF_LOGIN_URL", status);
            }
            if (status >= 400 && status < 500) {
                if (str(r.data(), "error").isEmpty()) {
                    throw new SalesforceError("token", "bad_reply", "HTTP " + status + ", not a Salesforce OAuth answer: check SF_LOGIN_URL", status);
                }
                throw new SalesforceError("token", scrub(str(r.data(), "error"), secrets), scrub(str(r.data(), "error_description"), secrets), status);
            }
            if (status < 200 || status >= 300) {
                throw serverError("token", status, r.data(), secrets);
            }
            if (!(r.data() instanceof Map)) {
                throw new SalesforceError("token", "bad_reply", "the token reply is not JSON", status);
            }
            if (str(r.data(), "access_token").isEmpty()) {
                throw new SalesforceError("token", "bad_reply", "the token reply has no access_token", status);
            }
            return new Token(str(r.data(), "access_token"), checkInstance(str(r.data(), "instance_url")), System.nanoTime());
        }

        /** The token goes only to https on a Salesforce host, or to this machine when the login URL is this machine too. */
        URI checkInstance(String raw) throws SalesforceError {
            URI u;
            try {
                u = new URI(raw.strip());
            } catch (Exception e) {
                u = null;
            }
            if (raw.isEmpty() || u == null || u.getRawAuthority() == null || u.getHost() == null) {
                throw new SalesforceError("token", "bad_reply", "the token reply has no usable instance_url", 200);
            }
            String authority = u.getRawAuthority();
            String where = clean(u.getScheme() + "://" + authority.substring(authority.lastIndexOf('@') + 1));
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (u.getRawUserInfo() != null) {
                throw unsafe(where, "carries a user name");
            }
            if (!(cfg.login.kind() == Kind.LOOPBACK && isLoopback(u.getHost()) && (scheme.equals("http") || scheme.equals("https")))) {
                if (!scheme.equals("https")) {
                    throw unsafe(where, "is not https");
                }
                if (!isSalesforceHost(u.getHost())) {
                    throw unsafe(where, "is not a Salesforce host");
                }
            }
            String path = u.getRawPath() == null ? "" : u.getRawPath().replaceAll("/+$", "");
            return URI.create(scheme + "://" + authority + path);
        }

        static SalesforceError unsafe(String where, String why) {
            return new SalesforceError("token", "unsafe_host", "the token reply's instance_url " + where + " " + why
                    + ", so the access token will not be sent there", 200);
        }

        static boolean wrongAudience(SalesforceError e) {
            if (!e.phase.equals("token") || e.status < 400 || e.status >= 500) {
                return false;
            }
            return e.code.equalsIgnoreCase("app_not_found")
                    || e.code.equalsIgnoreCase("invalid_grant") && e.description.toLowerCase(Locale.ROOT).contains("audience is invalid");
        }

        /** The token request, finding the audience when SF_AUDIENCE is empty. Logins never overlap (one flight at a time). */
        Token signIn() throws Exception {
            List<String> auds = cfg.audience.isEmpty() ? cfg.login.audiences() : List.of(cfg.audience);
            for (int i = 0; i < auds.size(); i++) {
                try {
                    Token tok = requestToken(auds.get(i));
                    if (cfg.audience.isEmpty() && auds.size() > 1) {
                        log("SF_AUDIENCE: " + auds.get(i) + " works for this org (set it in .env to skip finding it)");
                    }
                    cfg.audience = auds.get(i);
                    return tok;
                } catch (SalesforceError e) {
                    if (i + 1 < auds.size() && wrongAudience(e)) {
                        log("SF_AUDIENCE: " + auds.get(i) + " was refused (" + e.getMessage() + "); trying " + auds.get(i + 1));
                        continue;
                    }
                    log("auth-credential: " + e.getMessage());
                    throw e;
                }
            }
            throw new IllegalStateException("no audience to try");
        }

        record Got(Token token, boolean fresh) {}

        /** The cached token, or the one a login shared with every caller that asks while it runs brings; fresh says it comes from that login. */
        Got accessToken() throws Exception {
            CompletableFuture<Token> flight;
            boolean starter = false;
            synchronized (this) {
                if (token != null && System.nanoTime() - token.at() < TOKEN_REUSE_NANOS) {
                    return new Got(token, false);
                }
                if (inflight == null) {
                    if (failed != null && System.nanoTime() - retryAt < 0) {
                        throw failed;
                    }
                    inflight = new CompletableFuture<>();
                    starter = true;
                }
                flight = inflight;
            }
            if (starter) {
                Token tok = null;
                Exception err = null;
                try {
                    tok = signIn();
                } catch (Exception e) { // shared with every waiter, then thrown
                    err = e;
                }
                synchronized (this) {
                    token = tok;
                    inflight = null;
                    if (err instanceof SalesforceError se) {
                        failed = se;
                        retryAt = System.nanoTime() + BACKOFF_NANOS;
                    } else {
                        failed = null;
                    }
                }
                if (err != null) {
                    flight.completeExceptionally(err);
                } else {
                    flight.complete(tok);
                }
            }
            try {
                return new Got(flight.join(), true);
            } catch (CompletionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }

        /** Drops tok when it is still the cached one; a token just issued and refused at once counts as a failed login (back off). */
        synchronized void forget(Token tok, SalesforceError err, boolean fresh) {
            if (token == tok) {
                token = null;
            }
            if (fresh) {
                failed = err;
                retryAt = System.nanoTime() + BACKOFF_NANOS;
            }
        }

        /** A 4xx from singleaccess: Salesforce answers bare text (Bad_OAuth_Token), the REST shape or the OAuth shape. */
        static SalesforceError singleAccessRefusal(Reply r, String... secrets) {
            String code = "", desc = "";
            if (r.data() instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map) {
                code = scrub(str(list.get(0), "errorCode"), secrets);
                desc = scrub(str(list.get(0), "message"), secrets);
            } else if (r.data() instanceof Map) {
                code = scrub(str(r.data(), "error"), secrets);
                desc = scrub(str(r.data(), "error_description"), secrets);
            } else if (!r.text().strip().startsWith("<")) {
                desc = scrub(r.text(), secrets);
            }
            for (String word : List.of("Bad_OAuth_Token", "Invalid_Scope")) {
                if (r.text().contains(word)) {
                    if (desc.equals(word) || desc.equals(code)) {
                        desc = "";
                    }
                    code = word;
                }
            }
            boolean refused = r.status() == 401 || code.equals("Bad_OAuth_Token");
            if (code.isEmpty()) {
                if (desc.isEmpty()) {
                    return new SalesforceError("singleaccess", "bad_reply", "HTTP " + r.status() + ", not a Salesforce answer", r.status());
                }
                code = "HTTP_" + r.status();
            }
            return new SalesforceError("singleaccess", code, desc, r.status(), refused);
        }

        /** https://acme.my.salesforce.com -> https://acme.lightning.force.com; this machine stays itself. */
        static String lightningURL(URI instance) {
            String host = instance.getHost().toLowerCase(Locale.ROOT);
            if (!isLoopback(host)) {
                for (String[] s : MY_DOMAIN_SUFFIXES) {
                    if (host.endsWith(s[0])) {
                        return "https://" + host.substring(0, host.length() - s[0].length()) + s[1];
                    }
                }
            }
            return (instance.getScheme() + "://" + instance.getRawAuthority()).toLowerCase(Locale.ROOT);
        }

        Map<String, String> singleAccess(Token tok) throws SalesforceError {
            String[] secrets = {tok.access(), cfg.clientId};
            Reply r = post("singleaccess", tok.instance() + "/services/oauth2/singleaccess", "", tok.access());
            int status = r.status();
            if (status >= 300 && status < 400) {
                throw new SalesforceError("singleaccess", "redirect", "the singleaccess request was redirected (HTTP " + status
                        + "); it carries the access token, so it is not followed", status);
            }
            if (status >= 400 && status < 500) {
                throw singleAccessRefusal(r, secrets);
            }
            if (status < 200 || status >= 300) {
                throw serverError("singleaccess", status, r.data(), secrets);
            }
            String fd = str(r.data(), "frontdoor_uri");
            if (fd.isEmpty()) {
                throw new SalesforceError("singleaccess", "bad_reply", "the singleaccess reply has no frontdoor_uri", status);
            }
            URI u;
            try {
                u = new URI(fd);
            } catch (Exception e) {
                throw new SalesforceError("singleaccess", "bad_reply", "the frontdoor_uri is not a web address", status);
            }
            if (u.getRawAuthority() == null) {
                throw new SalesforceError("singleaccess", "bad_reply", "the frontdoor_uri is not a web address", status);
            }
            URI inst = tok.instance();
            if (!u.getRawAuthority().equalsIgnoreCase(inst.getRawAuthority()) || !inst.getScheme().equals(u.getScheme())
                    || u.getRawUserInfo() != null) {
                throw new SalesforceError("singleaccess", "unsafe_host", "the frontdoor_uri points at " + clean(u.getScheme() + "://"
                        + u.getRawAuthority()) + ", not the org's " + clean(inst.getScheme() + "://" + inst.getRawAuthority())
                        + ": refusing to use it", status);
            }
            Map<String, String> out = new LinkedHashMap<>();
            out.put("authCredential", fd);
            out.put("orgUrl", cfg.orgUrl.isEmpty() ? lightningURL(inst) : cfg.orgUrl);
            return out;
        }

        /** singleAccess, its failures logged (the URL never is). */
        Map<String, String> frontdoor(Token tok) throws SalesforceError {
            try {
                return singleAccess(tok);
            } catch (SalesforceError e) {
                log("auth-credential: " + e.getMessage());
                throw e;
            }
        }

        Map<String, String> credential() throws Exception {
            Got got = accessToken();
            try {
                return frontdoor(got.token());
            } catch (SalesforceError e) {
                if (!e.tokenRefused) {
                    throw e;
                }
                forget(got.token(), e, got.fresh());
                if (got.fresh()) {
                    throw e;
                }
            }
            // Expired or revoked: sign in again, once.
            Token tok = accessToken().token();
            try {
                return frontdoor(tok);
            } catch (SalesforceError e) {
                if (e.tokenRefused) {
                    forget(tok, e, true);
                }
                throw e;
            }
        }

        // ---- HTTP ----

        /**
         * Only requests addressed to a host this server serves: localhost, 127.0.0.1 or [::1] on its port, or
         * ALLOWED_HOSTS (a name alone: any port). A web page whose name is made to point here (DNS rebinding) gets nothing.
         */
        boolean hostAllowed(String hostHeader) {
            String host = hostHeader == null ? "" : hostHeader.toLowerCase(Locale.ROOT);
            for (String local : List.of("localhost", "127.0.0.1", "[::1]")) {
                if (host.equals(local + ":" + port)) {
                    return true;
                }
            }
            String name = host.replaceAll(":\\d+$", "");
            return cfg.allowedHosts.contains(host) || cfg.allowedHosts.contains(name);
        }

        /** This app's own page (Sec-Fetch-Site: same-origin, or an Origin naming this host); a request with neither, such as curl, only from this machine. */
        static boolean sameOrigin(HttpExchange ex) {
            String site = ex.getRequestHeaders().getFirst("Sec-Fetch-Site");
            String origin = ex.getRequestHeaders().getFirst("Origin");
            String host = String.valueOf(ex.getRequestHeaders().getFirst("Host")).toLowerCase(Locale.ROOT);
            boolean own = origin != null && List.of("http://" + host, "https://" + host).contains(origin.toLowerCase(Locale.ROOT));
            if (site != null && !site.isEmpty()) {
                return site.equals("same-origin") && (origin == null || own);
            }
            if (origin != null && !origin.isEmpty()) {
                return own;
            }
            InetAddress peer = ex.getRemoteAddress().getAddress();
            return peer.isLoopbackAddress() && (peer instanceof Inet4Address || peer instanceof Inet6Address);
        }

        void handle(HttpExchange ex) throws IOException {
            try (ex) {
                var h = ex.getResponseHeaders();
                h.set("X-Content-Type-Options", "nosniff");
                h.set("Referrer-Policy", "no-referrer");
                if (!hostAllowed(ex.getRequestHeaders().getFirst("Host"))) {
                    send(ex, 421, "text/plain",
                            "Misdirected Request: this server does not answer for that host name (see ALLOWED_HOSTS)\n".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                String path = ex.getRequestURI().getRawPath();
                if (path.equals("/auth-credential")) {
                    serveCredential(ex);
                    return;
                }
                StaticFile f = page.get(path);
                if (f == null || !(ex.getRequestMethod().equals("GET") || ex.getRequestMethod().equals("HEAD"))) {
                    send(ex, 404, "text/plain", "Not Found\n".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                send(ex, 200, f.type(), f.data());
            }
        }

        static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
            ex.getResponseHeaders().set("Content-Type", type);
            boolean head = ex.getRequestMethod().equals("HEAD");
            ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
            if (!head && body.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        }

        // Protect this route as you protect the rest of your app (your own login
        // goes here): whoever can call it is signed in to Salesforce as SF_USERNAME.
        void serveCredential(HttpExchange ex) throws IOException {
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            Map<String, String> body = new LinkedHashMap<>();
            int status;
            if (!ex.getRequestMethod().equals("GET")) {
                ex.getResponseHeaders().set("Allow", "GET");
                status = 405;
                body.put("error", "method_not_allowed");
                body.put("error_description", "use GET");
            } else if (!sameOrigin(ex)) {
                status = 403;
                body.put("error", "forbidden");
                body.put("error_description", "only this app's own page may ask for a credential");
            } else {
                try {
                    body = credential();
                    status = 200;
                } catch (SalesforceError e) {
                    status = 502;
                    body.put("error", e.code);
                    body.put("error_description", e.description);
                    body.put("phase", e.phase);
                } catch (Exception e) { // never a secret: only the kind of failure
                    log("auth-credential: internal error (" + e.getClass().getSimpleName() + ")");
                    status = 500;
                    body.put("error", "internal_error");
                    body.put("error_description", "the server could not get a credential; see its log");
                }
            }
            ex.getResponseHeaders().set("Content-Type", "application/json");
            byte[] data = Json.write(body).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, data.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(data);
            }
        }
    }

    record StaticFile(String type, byte[] data) {}

    /** The page: index.html, app.mjs, words.mjs, embed.css, and the SDK's browser module when a copy is kept in static/sdk/. */
    static Map<String, StaticFile> loadStatic(Path dir) {
        Map<String, StaticFile> out = new HashMap<>();
        String js = "text/javascript; charset=utf-8";
        Map<String, String> types = Map.of("index.html", "text/html; charset=utf-8", "app.mjs", js, "words.mjs", js,
                "embed.css", "text/css; charset=utf-8", "sdk/sdk-bundle.module.js", js);
        types.forEach((name, type) -> {
            try {
                out.put(name.equals("index.html") ? "/" : "/" + name, new StaticFile(type, Files.readAllBytes(dir.resolve(name))));
            } catch (NoSuchFileException e) {
                if (!name.startsWith("sdk/")) {
                    fail("the page: cannot read static/" + name + " (start the server in its project folder)");
                }
            } catch (IOException e) {
                fail("the page: cannot read static/" + name);
            }
        });
        return out;
    }

    /** Just enough JSON: objects, arrays, strings, numbers, true, false, null. */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        static Object parse(String text) {
            Json p = new Json(text);
            p.space();
            Object v = p.value(0);
            p.space();
            if (p.i != text.length()) {
                throw new IllegalArgumentException("trailing text");
            }
            return v;
        }

        private void space() {
            while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
        }

        private IllegalArgumentException bad() {
            return new IllegalArgumentException("not JSON at " + i);
        }

        private Object value(int depth) {
            if (depth > 64 || i >= s.length()) {
                throw bad();
            }
            char c = s.charAt(i);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                i++;
                space();
                if (i < s.length() && s.charAt(i) == '}') {
                    i++;
                    return m;
                }
                while (true) {
                    space();
                    if (i >= s.length() || s.charAt(i) != '"') {
                        throw bad();
                    }
                    String k = string();
                    space();
                    if (i >= s.length() || s.charAt(i++) != ':') {
                        throw bad();
                    }
                    space();
                    m.put(k, value(depth + 1));
                    space();
                    if (i >= s.length()) {
                        throw bad();
                    }
                    char d = s.charAt(i++);
                    if (d == '}') {
                        return m;
                    }
                    if (d != ',') {
                        throw bad();
                    }
                }
            }
            if (c == '[') {
                List<Object> l = new ArrayList<>();
                i++;
                space();
                if (i < s.length() && s.charAt(i) == ']') {
                    i++;
                    return l;
                }
                while (true) {
                    space();
                    l.add(value(depth + 1));
                    space();
                    if (i >= s.length()) {
                        throw bad();
                    }
                    char d = s.charAt(i++);
                    if (d == ']') {
                        return l;
                    }
                    if (d != ',') {
                        throw bad();
                    }
                }
            }
            if (c == '"') {
                return string();
            }
            for (String word : List.of("true", "false", "null")) {
                if (s.startsWith(word, i)) {
                    i += word.length();
                    return word.equals("null") ? null : Boolean.valueOf(word);
                }
            }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            try {
                return Double.parseDouble(s.substring(start, i));
            } catch (NumberFormatException e) {
                throw bad();
            }
        }

        private String string() {
            StringBuilder b = new StringBuilder();
            i++; // the opening quote
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (i >= s.length()) {
                    break;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        if (i + 4 > s.length()) {
                            throw bad();
                        }
                        try {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        } catch (NumberFormatException x) {
                            throw bad();
                        }
                        i += 4;
                    }
                    default -> b.append(e);
                }
            }
            throw bad();
        }

        static String write(Map<String, ?> m) {
            StringBuilder b = new StringBuilder("{");
            m.forEach((k, v) -> {
                if (b.length() > 1) {
                    b.append(',');
                }
                quote(b, k);
                b.append(':');
                if (v instanceof Number n) {
                    b.append(n);
                } else {
                    quote(b, String.valueOf(v));
                }
            });
            return b.append('}').toString();
        }

        static void quote(StringBuilder b, String s) {
            b.append('"');
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    default -> {
                        if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
                            b.append(String.format("\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
            b.append('"');
        }
    }
}
