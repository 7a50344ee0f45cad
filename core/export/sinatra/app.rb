# Serves the Tableau Next Embedding SDK's auth credential: a single-use
# frontdoor URL obtained server to server with the Salesforce OAuth 2.0 JWT
# bearer flow, and the page that embeds a dashboard with it.
#
#   bundle install && bundle exec ruby app.rb     (reads ./.env when present)
#
# GET /auth-credential -> {"authCredential": "<frontdoor URL>", "orgUrl": "<Lightning URL>"}
#
# Settings come from the environment, or from .env beside this file
# (variables already set win): SF_LOGIN_URL, SF_AUDIENCE (empty: found as
# tnjwt finds it), SF_CLIENT_ID, SF_USERNAME, SF_PRIVATE_KEY (PEM; "\n"
# escapes are accepted), SF_ORG_URL (empty: worked out from instance_url),
# PORT (3000), HOST (127.0.0.1) and ALLOWED_HOSTS.
#
# Written by tnjwt; the same contract as its Express, Flask, Go and Java
# servers (see README.md).

require 'ipaddr'
require 'json'
require 'net/http'
require 'openssl'
require 'socket'
require 'uri'
require 'dotenv'
require 'jwt'

$stdout.sync = true
$stderr.sync = true

TIMEOUT = 10 # seconds, each Salesforce request (connecting, then each read)
MAX_REPLY = 1 << 20 # Salesforce's replies are a few hundred bytes
# The token reply does not say how long the session lasts: it is the org's
# (or the app's) session timeout, which an admin can set as low as 15
# minutes. A token is reused for 14 minutes at most; a token refused sooner
# (revoked, or a shorter timeout) is re-signed once at once.
TOKEN_REUSE = 14 * 60
BACKOFF = 5 # seconds without a new login after a failed one
JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'

def fail!(message)
  warn message
  exit 1
end

def log(message)
  warn message
end

def now
  Process.clock_gettime(Process::CLOCK_MONOTONIC)
end

Dotenv.load(File.join(__dir__, '.env')) # variables already set win

# ---- Salesforce's login hosts, checked as tnjwt checks them ----

# Salesforce's registrable domains: the only hosts the access token goes to.
SALESFORCE_DOMAINS = %w[salesforce.com force.com site.com my-salesforce.com my-lightning.com
                        salesforce-sites.com cloudforce.com visualforce.com salesforce-setup.com
                        salesforce.mil crmforce.mil sfcrmproducts.cn sfcrmapps.cn].freeze
# My Domain suffixes and their Lightning ones.
MY_DOMAIN_SUFFIXES = [%w[.my.salesforce.com .lightning.force.com], %w[.my-salesforce.com .my-lightning.com],
                      %w[.my.salesforce.mil .lightning.crmforce.mil], %w[.my.sfcrmproducts.cn .lightning.sfcrmapps.cn]].freeze
NOT_LOGIN_HOSTS = %w[.my.salesforce-setup.com .vf.force.com .file.force.com .visual.force.com
                     .visualforce.com .salesforce-experience.com .content.force.com .container.force.com].freeze

def salesforce_host?(host)
  h = host.downcase.chomp('.')
  SALESFORCE_DOMAINS.any? { |d| h.end_with?(".#{d}") }
end

# The name localhost, 127.0.0.0/8 or ::1 (not names under .localhost, nor ::ffff:127.0.0.1).
def loopback?(host)
  h = host.to_s.delete_prefix('[').delete_suffix(']')
  return true if h.casecmp?('localhost')
  return false unless h.match?(/\A[0-9.]+\z/) || h.include?(':')

  ip = IPAddr.new(h)
  ip.ipv6? ? ip == IPAddr.new('::1') : (ip.loopback? && h.count('.') == 3)
rescue IPAddr::Error
  false
end

def valid_name?(name)
  !name.empty? && name.split('.', -1).all? do |l|
    !l.empty? && l.length <= 63 && l.match?(/\A[a-z0-9-]+\z/) && !l.start_with?('-') && !l.end_with?('-')
  end
end

LoginURL = Struct.new(:url, :kind) do
  # The order in which the JWT's aud is tried.
  def audiences
    legacy = %i[sandbox mydomain_sandbox].include?(kind) ? 'https://test.salesforce.com' : 'https://login.salesforce.com'
    case kind
    when :site then [url]
    when :mydomain, :mydomain_sandbox, :loopback then [url, legacy]
    else [legacy]
    end
  end
end

def parse_login_url(raw)
  s = raw.strip
  raise ArgumentError, 'the login URL contains spaces' if s.match?(/\s/)

  s = "https://#{s}" unless s.include?('://')
  m = s.match(%r{\A([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?\z}m)
  raise ArgumentError, 'not a web address' unless m

  scheme = m[1].downcase
  authority = m[2]
  path = m[3]
  raise ArgumentError, 'must start with https://' unless %w[https http].include?(scheme)
  raise ArgumentError, 'the login URL contains a user name or password' if authority.include?('@')

  hp = authority.match(/\A(\[[^\]]*\]|[^:]*)(?::(\d*))?\z/)
  raise ArgumentError, 'not a web address' if hp.nil? || hp[1].empty?

  host = hp[1].downcase.chomp('.')
  port = hp[2].to_s
  if host.each_char.any? { |c| c.ord < 0x21 || c.ord > 0x7e }
    raise ArgumentError, 'the host has a character that is not plain ASCII: it may be a look-alike of a Salesforce host'
  end
  if host.split('.').any? { |l| l.start_with?('xn--') }
    raise ArgumentError, 'the host has an internationalised (xn--) name: it may be a look-alike of a Salesforce host'
  end

  bare = host.delete_prefix('[').delete_suffix(']')
  if host.end_with?('.localhost') || (bare.include?(':') && !loopback?(bare))
    raise ArgumentError, 'not a Salesforce login host (this machine is only localhost, 127.0.0.1 or [::1])'
  end

  loop = loopback?(bare)
  raise ArgumentError, 'not a web address' if !loop && (!valid_name?(host) || !host.include?('.'))

  host_port = port.empty? ? host : "#{host}:#{port}"
  on_page = false
  if loop
    i = path.downcase.index('/services/oauth2')
    path = path[0...i] if i
    login = LoginURL.new("#{scheme}://#{host_port}#{path.sub(%r{/+\z}, '')}", :loopback)
  else
    login, on_page = classify(host, path)
    raise ArgumentError, 'Salesforce login URLs have no port number' unless port.empty? || port == '443'
  end
  raise ArgumentError, 'the login URL has a query (?…) or fragment (#…) part' if !on_page && (m[4] || m[5])
  raise ArgumentError, 'plain http://: Salesforce only answers over https://' if scheme == 'http' && !loop

  login
end

def classify(host, path)
  origin = "https://#{host}"
  return [LoginURL.new(origin, :production), false] if host == 'login.salesforce.com'
  return [LoginURL.new(origin, :sandbox), false] if host == 'test.salesforce.com'

  MY_DOMAIN_SUFFIXES.each do |my, lightning|
    name = host.delete_suffix(lightning)
    if host.end_with?(lightning) && valid_name?(name)
      raise ArgumentError, "#{host} is a Lightning Experience address, not a login host: use https://#{name}#{my}"
    end
  end
  if NOT_LOGIN_HOSTS.any? { |s| host.end_with?(s) }
    raise ArgumentError, "#{host} is not a login host: use the org's My Domain login URL"
  end

  MY_DOMAIN_SUFFIXES.each do |my, _|
    name = host.delete_suffix(my)
    next unless host.end_with?(my) && valid_name?(name)

    sandbox = name.end_with?('.sandbox') || name.end_with?('.scratch')
    return [LoginURL.new(origin, sandbox ? :mydomain_sandbox : :mydomain), false]
  end
  ['.my.site.com', '.force.com'].each do |suffix|
    next unless host.end_with?(suffix) && valid_name?(host.delete_suffix(suffix))

    site, on_page = site_path(path)
    return [LoginURL.new(origin + site, :site), on_page]
  end
  raise ArgumentError, "#{host} is not a Salesforce login host: use https://login.salesforce.com, " \
                       "https://test.salesforce.com or the org's My Domain URL"
end

# An Experience Cloud site's own path, from an address copied while on one of its pages or endpoints.
def site_path(path)
  segs = path.gsub(%r{\A/+|/+\z}, '').split('/', -1)
  join = lambda do |s|
    j = s.join('/').gsub(%r{\A/+|/+\z}, '')
    j.empty? ? '' : "/#{j}"
  end
  segs.each_with_index do |seg, i|
    return [join.call(segs[0...i]), true] if %w[s secur].include?(seg.downcase)
    return [join.call(segs[0...i]), false] if seg.downcase == 'services'
  end
  return [join.call(segs[0...-1]), true] if segs.last.to_s.downcase == 'login'

  [join.call(segs), false]
end

# An https URL (or http on this machine), without a trailing slash.
def check_web_address(raw)
  s = raw.sub(%r{/+\z}, '')
  u = URI.parse(s)
  if u.host.to_s.empty? || u.userinfo || u.query || u.fragment || !u.is_a?(URI::HTTP)
    raise ArgumentError, 'not a plain https:// address'
  end
  raise ArgumentError, 'not an https:// address' unless u.scheme == 'https' || (u.scheme == 'http' && loopback?(u.host))

  s
rescue URI::InvalidURIError
  raise ArgumentError, 'not a plain https:// address'
end

def load_key(text)
  key = begin
    OpenSSL::PKey.read(text.gsub('\n', "\n"))
  rescue OpenSSL::PKey::PKeyError, ArgumentError
    raise ArgumentError, 'not a PEM private key (-----BEGIN PRIVATE KEY-----; an encrypted key is not supported)'
  end
  raise ArgumentError, 'not an RSA private key: Salesforce signs with RS256 only' unless key.is_a?(OpenSSL::PKey::RSA) && key.private?
  raise ArgumentError, "an RSA key of #{key.n.num_bits} bits; Salesforce needs at least 2048" if key.n.num_bits < 2048

  key
end

Settings = Struct.new(:login, :audience, :client_id, :username, :key, :org_url, :host, :port, :allowed_hosts)

def read_settings
  env = ->(name) { ENV.fetch(name, '').strip }
  need = lambda do |name|
    v = env.call(name)
    fail!("#{name} is missing: set it in the environment or in .env") if v.empty?
    v
  end
  check = lambda do |name, value, &blk|
    blk.call(value)
  rescue ArgumentError => e
    fail!("#{name}: #{e.message}")
  end
  cfg = Settings.new
  cfg.login = check.call('SF_LOGIN_URL', need.call('SF_LOGIN_URL')) { |v| parse_login_url(v) }
  cfg.client_id = need.call('SF_CLIENT_ID')
  fail!('SF_CLIENT_ID: the consumer key has a space or line break inside it') if cfg.client_id.match?(/\s/)
  cfg.username = need.call('SF_USERNAME')
  if cfg.username.match?(/\s/) || !cfg.username.include?('@')
    fail!('SF_USERNAME: a Salesforce username looks like an email address (embed@acme.com)')
  end
  cfg.key = check.call('SF_PRIVATE_KEY', need.call('SF_PRIVATE_KEY')) { |v| load_key(v) }
  aud = env.call('SF_AUDIENCE')
  cfg.audience = aud.empty? ? '' : check.call('SF_AUDIENCE', aud) { |v| check_web_address(v) }
  org = env.call('SF_ORG_URL')
  cfg.org_url = org.empty? ? '' : check.call('SF_ORG_URL', org) { |v| check_web_address(v) }
  cfg.host = (env.call('HOST').empty? ? '127.0.0.1' : env.call('HOST')).delete_prefix('[').delete_suffix(']')
  port = env.call('PORT').empty? ? '3000' : env.call('PORT')
  fail!('PORT: not a port number (0 to 65535)') unless port.match?(/\A\d{1,5}\z/) && port.to_i <= 65_535
  cfg.port = port.to_i
  cfg.allowed_hosts = env.call('ALLOWED_HOSTS').split(',').map { |h| h.strip.downcase }.reject(&:empty?)
  if cfg.allowed_hosts.any? { |h| h.match?(%r{[/@\s?#*]}) || h.start_with?(':') }
    fail!('ALLOWED_HOSTS: give host names as in the Host header (app.acme.com), comma-separated, without https:// or a path')
  end
  cfg
end

CFG = read_settings

# After the settings are checked: Sinatra reads PORT as it loads.
require 'puma'
require 'sinatra/base'

# ---- The credential ----

# A refusal or failure of one Salesforce call, safe to show: Salesforce's
# own words (redacted), never the key, the assertion or a token.
class SalesforceError < StandardError
  attr_reader :phase, :code, :description, :status, :token_refused

  def initialize(phase, code, description, status = 0, token_refused = false)
    super("#{phase} #{code}: #{description}")
    @phase = phase
    @code = code
    @description = description
    @status = status
    @token_refused = token_refused
  end

  def copy
    SalesforceError.new(phase, code, description, status, token_refused)
  end
end

# Text from a server, safe for a reply or a log line: no control or
# bidirectional characters, one line, at most 500 characters.
def clean(text)
  s = text.to_s.dup.force_encoding(Encoding::UTF_8).scrub(' ')
  s = s.gsub(/[\u0000-\u0020\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ufffd[[:space:]]]+/, ' ').strip
  s.length > 500 ? "#{s[0, 500].rstrip}…" : s
end

# clean, and each secret removed: whole, URL-encoded, or any 12 or more
# characters of it, in case a server echoes what it got.
def scrub(text, *secrets)
  redacted = '[redacted]'
  s = clean(text)
  secrets.each do |secret|
    next if secret.nil? || secret.empty?

    [secret, URI.encode_www_form_component(secret), URI.encode_www_form_component(secret).gsub('+', '%20')].each do |form|
      s = s.gsub(form, redacted)
    end
    (0..(secret.length - 12)).each { |i| s = s.gsub(secret[i, 12], redacted) }
  end
  s = s.gsub(redacted + redacted, redacted) while s.include?(redacted + redacted)
  s
end

# One kept-alive connection per Salesforce host and Puma thread.
def connection(uri)
  pool = (Thread.current[:salesforce_http] ||= {})
  key = "#{uri.scheme}://#{uri.host}:#{uri.port}"
  http = pool[key]
  return [key, http] if http&.started?

  http = Net::HTTP.new(uri.host, uri.port)
  http.use_ssl = uri.scheme == 'https'
  http.open_timeout = TIMEOUT
  http.read_timeout = TIMEOUT
  http.write_timeout = TIMEOUT
  http.keep_alive_timeout = 30
  http.start
  pool[key] = http
  [key, http]
end

# Sends a form and reads the reply, within TIMEOUT and MAX_REPLY.
def post(phase, url, form, bearer = nil)
  uri = URI.parse(url)
  host = clean("#{uri.host}:#{uri.port}")
  deadline = now + TIMEOUT
  timeout = SalesforceError.new(phase, 'timeout', "no answer from #{host} within #{TIMEOUT} s")
  req = Net::HTTP::Post.new(uri.request_uri)
  req['Content-Type'] = 'application/x-www-form-urlencoded'
  req['Accept'] = 'application/json'
  req['Authorization'] = "Bearer #{bearer}" if bearer
  req.body = URI.encode_www_form(form)
  key = nil
  begin
    key, http = connection(uri)
    status = 0
    body = +''
    http.request(req) do |res|
      status = res.code.to_i
      res.read_body do |chunk|
        body << chunk
        if body.bytesize > MAX_REPLY
          raise SalesforceError.new(phase, 'too_large', "#{host} sent more than 1 MiB, which is not a Salesforce answer", status)
        end
        raise timeout if now > deadline
      end
    end
  rescue SalesforceError
    drop(key)
    raise
  rescue Net::OpenTimeout, Net::ReadTimeout, Net::WriteTimeout
    drop(key)
    raise timeout
  rescue StandardError
    drop(key)
    raise SalesforceError.new(phase, 'connection', "cannot reach #{host}")
  end
  body.force_encoding(Encoding::UTF_8)
  data = begin
    JSON.parse(body)
  rescue JSON::ParserError
    nil
  end
  [status, body, data]
end

def drop(key)
  pool = Thread.current[:salesforce_http] || {}
  http = pool.delete(key)
  http&.finish if http&.started?
rescue StandardError
  nil
end

def str(value)
  value.is_a?(String) ? value : ''
end

def server_error(phase, status, data, *secrets)
  words = data.is_a?(Hash) && !str(data['error']).empty? ? ": #{scrub("#{data['error']} #{str(data['error_description'])}", *secrets)}" : ''
  SalesforceError.new(phase, 'server', "Salesforce answered HTTP #{status}#{words}; try again in a few minutes", status)
end

Token = Struct.new(:access, :instance, :at)

# The token goes only to https on a Salesforce host, or to this machine
# when the login URL is this machine too.
def check_instance(raw)
  u = begin
    URI.parse(raw.strip)
  rescue URI::InvalidURIError
    nil
  end
  if raw.empty? || u.nil? || u.host.to_s.empty?
    raise SalesforceError.new('token', 'bad_reply', 'the token reply has no usable instance_url', 200)
  end

  where = clean("#{u.scheme}://#{u.host}#{u.port && u.port != u.default_port ? ":#{u.port}" : ''}")
  unsafe = lambda do |why|
    SalesforceError.new('token', 'unsafe_host', "the token reply's instance_url #{where} #{why}, so the access token will not be sent there", 200)
  end
  raise unsafe.call('carries a user name') if u.userinfo

  unless CFG.login.kind == :loopback && loopback?(u.host) && %w[http https].include?(u.scheme)
    raise unsafe.call('is not https') unless u.scheme == 'https'
    raise unsafe.call('is not a Salesforce host') unless salesforce_host?(u.host)
  end
  u.path = u.path.sub(%r{/+\z}, '')
  u.query = nil
  u.fragment = nil
  u
end

def request_token(aud)
  assertion = JWT.encode({ 'iss' => CFG.client_id, 'sub' => CFG.username, 'aud' => aud, 'exp' => Time.now.to_i + 180 },
                         CFG.key, 'RS256')
  secrets = [assertion, CFG.client_id]
  status, _, data = post('token', "#{CFG.login.url}/services/oauth2/token", { 'grant_type' => JWT_BEARER, 'assertion' => assertion })
  if status >= 300 && status < 400
    raise SalesforceError.new('token', 'redirect', "the token request was redirected (HTTP #{status}); check SF_LOGIN_URL", status)
  end
  if status >= 400 && status < 500
    if !data.is_a?(Hash) || str(data['error']).empty?
      raise SalesforceError.new('token', 'bad_reply', "HTTP #{status}, not a Salesforce OAuth answer: check SF_LOGIN_URL", status)
    end

    raise SalesforceError.new('token', scrub(data['error'], *secrets), scrub(str(data['error_description']), *secrets), status)
  end
  raise server_error('token', status, data, *secrets) unless status >= 200 && status < 300
  raise SalesforceError.new('token', 'bad_reply', 'the token reply is not JSON', status) unless data.is_a?(Hash)
  raise SalesforceError.new('token', 'bad_reply', 'the token reply has no access_token', status) if str(data['access_token']).empty?

  Token.new(data['access_token'], check_instance(str(data['instance_url'])), now)
end

def wrong_audience?(err)
  return false unless err.is_a?(SalesforceError) && err.phase == 'token' && err.status >= 400 && err.status < 500

  err.code.casecmp?('app_not_found') ||
    (err.code.casecmp?('invalid_grant') && err.description.downcase.include?('audience is invalid'))
end

# A 4xx from singleaccess: Salesforce answers bare text (Bad_OAuth_Token),
# the REST shape or the OAuth shape.
def single_access_refusal(status, text, data, *secrets)
  code = ''
  desc = ''
  if data.is_a?(Array) && data.first.is_a?(Hash)
    code = scrub(str(data.first['errorCode']), *secrets)
    desc = scrub(str(data.first['message']), *secrets)
  elsif data.is_a?(Hash)
    code = scrub(str(data['error']), *secrets)
    desc = scrub(str(data['error_description']), *secrets)
  elsif !text.strip.start_with?('<')
    desc = scrub(text, *secrets)
  end
  %w[Bad_OAuth_Token Invalid_Scope].each do |word|
    next unless text.include?(word)

    desc = '' if [word, code].include?(desc)
    code = word
  end
  refused = status == 401 || code == 'Bad_OAuth_Token'
  if code.empty?
    return SalesforceError.new('singleaccess', 'bad_reply', "HTTP #{status}, not a Salesforce answer", status) if desc.empty?

    code = "HTTP_#{status}"
  end
  SalesforceError.new('singleaccess', code, desc, status, refused)
end

# https://acme.my.salesforce.com -> https://acme.lightning.force.com; this machine stays itself.
def lightning_url(instance)
  host = instance.host.downcase
  unless loopback?(host)
    MY_DOMAIN_SUFFIXES.each { |my, lightning| return "https://#{host.delete_suffix(my)}#{lightning}" if host.end_with?(my) }
  end
  port = instance.port && instance.port != instance.default_port ? ":#{instance.port}" : ''
  "#{instance.scheme}://#{instance.host}#{port}".downcase
end

def single_access(tok)
  secrets = [tok.access, CFG.client_id]
  status, text, data = post('singleaccess', "#{tok.instance}/services/oauth2/singleaccess", {}, tok.access)
  if status >= 300 && status < 400
    raise SalesforceError.new('singleaccess', 'redirect', "the singleaccess request was redirected (HTTP #{status}); " \
                                                          'it carries the access token, so it is not followed', status)
  end
  raise single_access_refusal(status, text, data, *secrets) if status >= 400 && status < 500
  raise server_error('singleaccess', status, data, *secrets) unless status >= 200 && status < 300

  fd = data.is_a?(Hash) ? str(data['frontdoor_uri']) : ''
  raise SalesforceError.new('singleaccess', 'bad_reply', 'the singleaccess reply has no frontdoor_uri', status) if fd.empty?

  u = begin
    URI.parse(fd)
  rescue URI::InvalidURIError
    raise SalesforceError.new('singleaccess', 'bad_reply', 'the frontdoor_uri is not a web address', status)
  end
  raise SalesforceError.new('singleaccess', 'bad_reply', 'the frontdoor_uri is not a web address', status) if u.host.to_s.empty?

  inst = tok.instance
  unless u.host.casecmp?(inst.host) && u.port == inst.port && u.scheme == inst.scheme && u.userinfo.nil?
    raise SalesforceError.new('singleaccess', 'unsafe_host', "the frontdoor_uri points at #{clean("#{u.scheme}://#{u.host}:#{u.port}")}, " \
                                                             "not the org's #{clean("#{inst.scheme}://#{inst.host}:#{inst.port}")}: refusing to use it", status)
  end
  { 'authCredential' => fd, 'orgUrl' => CFG.org_url.empty? ? lightning_url(inst) : CFG.org_url }
end

# One login at a time, shared by every request that needs it.
class Flight
  attr_reader :token, :error

  def initialize
    @mutex = Mutex.new
    @done = ConditionVariable.new
    @finished = false
  end

  def finish(token, error)
    @mutex.synchronize do
      @token = token
      @error = error
      @finished = true
      @done.broadcast
    end
  end

  def wait
    @mutex.synchronize { @done.wait(@mutex) until @finished }
  end
end

# The access token, cached; one login at a time, shared by every request
# that needs it; a pause after a failed one.
class Credentials
  def initialize
    @mutex = Mutex.new
    @token = nil
    @inflight = nil
    @failed = nil
    @retry_at = 0.0
  end

  # The cached token, or the one a login shared with every caller that asks
  # while it runs brings. fresh says it comes from that login.
  def access_token
    starter = false
    flight = @mutex.synchronize do
      return [@token, false] if @token && now - @token.at < TOKEN_REUSE

      unless @inflight
        raise(@failed.is_a?(SalesforceError) ? @failed.copy : @failed) if @failed && now < @retry_at

        @inflight = Flight.new
        starter = true
      end
      @inflight
    end
    if starter
      token = nil
      error = nil
      begin
        token = sign_in
      rescue StandardError => e # shared with every waiter, then raised
        error = e
      end
      @mutex.synchronize do
        @token = token
        @inflight = nil
        if error
          @failed = error
          @retry_at = now + BACKOFF
        else
          @failed = nil
        end
      end
      flight.finish(token, error)
    else
      flight.wait
    end
    raise(flight.error.is_a?(SalesforceError) ? flight.error.copy : flight.error) if flight.error

    [flight.token, true]
  end

  # Drops tok when it is still the cached one; a token just issued and
  # refused at once counts as a failed login (back off).
  def forget(tok, err, fresh)
    @mutex.synchronize do
      @token = nil if @token.equal?(tok)
      if fresh
        @failed = err
        @retry_at = now + BACKOFF
      end
    end
  end

  # The token request, finding the audience when SF_AUDIENCE is empty.
  # Logins never overlap (one flight at a time).
  def sign_in
    auds = CFG.audience.empty? ? CFG.login.audiences : [CFG.audience]
    auds.each_with_index do |aud, i|
      tok = request_token(aud)
      log("SF_AUDIENCE: #{aud} works for this org (set it in .env to skip finding it)") if CFG.audience.empty? && auds.length > 1
      CFG.audience = aud
      return tok
    rescue SalesforceError => e
      if i + 1 < auds.length && wrong_audience?(e)
        log("SF_AUDIENCE: #{aud} was refused (#{e.message}); trying #{auds[i + 1]}")
        next
      end
      log("auth-credential: #{e.message}")
      raise
    end
    raise 'no audience to try'
  end

  # single_access, its failures logged (the URL never is).
  def frontdoor(tok)
    single_access(tok)
  rescue SalesforceError => e
    log("auth-credential: #{e.message}")
    raise
  end

  def get
    tok, fresh = access_token
    begin
      return frontdoor(tok)
    rescue SalesforceError => e
      raise unless e.token_refused

      forget(tok, e, fresh)
      raise if fresh
    end
    # Expired or revoked: sign in again, once.
    tok, = access_token
    begin
      frontdoor(tok)
    rescue SalesforceError => e
      forget(tok, e, true) if e.token_refused
      raise
    end
  end
end

CREDENTIALS = Credentials.new

# ---- HTTP ----

PAGE_TYPES = { '.html' => 'text/html; charset=utf-8', '.mjs' => 'text/javascript; charset=utf-8',
               '.js' => 'text/javascript; charset=utf-8', '.css' => 'text/css; charset=utf-8' }.freeze
PAGE = {}
%w[index.html app.mjs words.mjs embed.css sdk/sdk-bundle.module.js].each do |name|
  path = File.join(__dir__, 'public', name)
  next if name.start_with?('sdk/') && !File.exist?(path)

  begin
    PAGE[name == 'index.html' ? '/' : "/#{name}"] = [PAGE_TYPES[File.extname(name)], File.binread(path)]
  rescue SystemCallError
    fail!("the page: cannot read public/#{name}")
  end
end

# The server: the page and /auth-credential.
class App < Sinatra::Base
  set :environment, :production
  set :show_exceptions, false
  set :raise_errors, false
  set :dump_errors, false
  set :logging, false
  set :static, false
  set :protection, false # the Host and same-origin checks below are this server's own

  class << self
    attr_accessor :port # the port it listens on, for the Host check
  end

  # Only requests addressed to a host this server serves: localhost,
  # 127.0.0.1 or [::1] on its port, or ALLOWED_HOSTS (a name alone: any
  # port). A web page whose name is made to point here (DNS rebinding)
  # gets nothing.
  def host_allowed?(host)
    host = host.to_s.downcase
    return true if %w[localhost 127.0.0.1 [::1]].any? { |h| host == "#{h}:#{App.port}" }

    name = host.sub(/:\d+\z/, '')
    CFG.allowed_hosts.include?(host) || CFG.allowed_hosts.include?(name)
  end

  # This app's own page (Sec-Fetch-Site: same-origin, or an Origin naming
  # this host); a request with neither, such as curl, only from this machine.
  def same_origin?
    site = request.env['HTTP_SEC_FETCH_SITE']
    origin = request.env['HTTP_ORIGIN']
    host = request.env['HTTP_HOST'].to_s.downcase
    own = !origin.nil? && ["http://#{host}", "https://#{host}"].include?(origin.downcase)
    return site == 'same-origin' && (origin.nil? || own) if site && !site.empty?
    return own if origin && !origin.empty?

    loopback?(request.env['REMOTE_ADDR'].to_s) # the peer itself, never X-Forwarded-For
  end

  before do
    headers 'X-Content-Type-Options' => 'nosniff', 'Referrer-Policy' => 'no-referrer'
    unless host_allowed?(request.env['HTTP_HOST'])
      halt 421, { 'Content-Type' => 'text/plain' },
           "Misdirected Request: this server does not answer for that host name (see ALLOWED_HOSTS)\n"
    end
  end

  def reply(status, body)
    halt status, { 'Content-Type' => 'application/json', 'Cache-Control' => 'no-store' }, JSON.generate(body)
  end

  # Protect this route as you protect the rest of your app (your own login
  # goes here): whoever can call it is signed in to Salesforce as SF_USERNAME.
  get '/auth-credential' do
    reply(405, { error: 'method_not_allowed', error_description: 'use GET' }) unless request.get?
    reply(403, { error: 'forbidden', error_description: "only this app's own page may ask for a credential" }) unless same_origin?
    begin
      result = CREDENTIALS.get
    rescue SalesforceError => e
      reply(502, { error: e.code, error_description: e.description, phase: e.phase })
    rescue StandardError => e # never a secret: only the kind of failure
      log("auth-credential: internal error (#{e.class})")
      reply(500, { error: 'internal_error', error_description: 'the server could not get a credential; see its log' })
    end
    reply(200, result)
  end

  %w[post put patch delete].each do |verb|
    send(verb, '/auth-credential') do
      headers 'Allow' => 'GET'
      reply(405, { error: 'method_not_allowed', error_description: 'use GET' })
    end
  end

  get '/*' do
    file = PAGE[request.path_info]
    halt 404, { 'Content-Type' => 'text/plain' }, "Not Found\n" unless file
    content_type file[0]
    file[1]
  end

  not_found do
    content_type 'text/plain'
    "Not Found\n"
  end
end

if $PROGRAM_NAME == __FILE__
  begin
    listener = TCPServer.new(CFG.host, CFG.port)
  rescue SystemCallError, SocketError => e
    fail!("HOST/PORT: cannot listen on #{CFG.host}:#{CFG.port}: #{e.message}")
  end
  address = listener.local_address
  App.port = address.ip_port
  server = Puma::Server.new(App, Puma::Events.stdio, min_threads: 0, max_threads: 16)
  server.binder.inherit_tcp_listener(CFG.host, address.ip_port, listener)
  host = address.ip_address.include?(':') ? "[#{address.ip_address}]" : address.ip_address
  puts "listening on http://#{host}:#{address.ip_port}"
  trap('TERM') { exit }
  trap('INT') { exit }
  server.run.join
end
