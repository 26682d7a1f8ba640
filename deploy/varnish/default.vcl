vcl 4.1;
# The front cache for Social Leaders: Varnish 7 (Debian's `varnish`) with vmod xkey (Debian's
# `varnish-modules`). What it caches, for how long, how it is purged and how to run it:
# docs/architecture.md, "A CDN in front" -> "Varnish". Started for real by
# tests/socialleaders/test_front_cache.py and by bench/spike.py.

import std;
import xkey;

# The app server (gunicorn, BIND). The test and the benchmark rewrite its port.
backend app {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    .between_bytes_timeout = 10s;
}

# Is the app server answering? The same server, probed every 2 s (3 failures out of 5: sick).
# Only consulted in vcl_hit: while it is sick, copies are served from grace (stale-if-error)
# without waiting for it. Fetches never use it, so a server too busy to answer the probe in
# time (a spike!) is still asked for every page Varnish has no copy of, instead of readers
# getting 503s.
probe sl_health {
    .url = "/healthz";
    .interval = 2s;
    .timeout = 2s;
    .window = 5;
    .threshold = 3;
    .initial = 3;
}

backend app_health {
    .host = "127.0.0.1";
    .port = "8000";
    .probe = sl_health;
}

# Who may purge: the app servers (CDN_PURGE_URL points here). Add their addresses.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    # Purge by tag (what socialleaders/cdn.py sends): `xkey-purge: <tags>` removes every page
    # carrying one of the tags; `xkey-softpurge: <tags>` marks them stale instead (served while
    # one request refreshes them). Tag `site` is on every page: purge everything.
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (req.http.xkey-purge) {
            set req.http.x-sl-gone = xkey.purge(req.http.xkey-purge);
        } elsif (req.http.xkey-softpurge) {
            set req.http.x-sl-gone = xkey.softpurge(req.http.xkey-softpurge);
        } else {
            return (synth(400, "PURGE needs an xkey-purge or xkey-softpurge header"));
        }
        return (synth(200, "Purged " + req.http.x-sl-gone));
    }

    # Internal flags travel between restarts only; never from the client.
    if (req.restarts == 0) {
        unset req.http.x-sl-stale-ok;
        unset req.http.x-sl-fresh-only;
        unset req.http.x-sl-outcome;
    }
    if (req.http.x-sl-fresh-only) {
        # Past the page's stale-while-revalidate and the app is up: no stale copy (vcl_hit).
        set req.grace = 0s;
    } else {
        set req.grace = 1y;  # no cap: the object's own grace (a restart keeps req.grace)
    }

    # Personal requests pass straight through, cookies and all, never stored or served from a
    # copy: editors (sessionid), a reader with a pending comment (sl_pending), the replica pin
    # after a form (sl_primary), flash messages, Authorization, writes, and the paths the app
    # never caches. The cookie names are the app's settings (SESSION_COOKIE_NAME,
    # PAGE_CACHE_PENDING_COOKIE, DATABASE_PIN_COOKIE, MESSAGE_COOKIE_NAME).
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.http.Authorization) {
        return (pass);
    }
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|sl_pending|sl_primary|messages)=") {
        return (pass);
    }
    if (req.url ~ "^/(admin|accounts|comments)(/|$)" || req.url ~ "^/healthz") {
        return (pass);
    }

    # Anything else is an anonymous reader: every anonymous reader gets the same bytes, so the
    # other cookies (analytics, a stale csrftoken) are dropped rather than splitting the cache
    # through `Vary: Cookie` or reaching the app.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_hash {
    hash_data(req.url);
    hash_data(req.http.host);
    # http and https copies apart (the app redirects one to the other).
    hash_data(req.http.X-Forwarded-Proto);
    return (lookup);
}

sub vcl_hit {
    if (obj.ttl > 0s) {
        set req.http.x-sl-outcome = "hit";
        return (deliver);
    }
    # Expired and kept in grace. Within the page's stale-while-revalidate it is served while
    # one background fetch refreshes it; past it, only when the app cannot answer.
    if (req.http.x-sl-stale-ok || !std.healthy(app_health)) {
        set req.http.x-sl-outcome = "stale-if-error";
        return (deliver);
    }
    if (obj.ttl + std.duration(obj.http.x-sl-swr + "s", 0s) > 0s) {
        set req.http.x-sl-outcome = "stale";
        return (deliver);
    }
    set req.http.x-sl-fresh-only = "1";
    return (restart);
}

sub vcl_miss {
    if (req.http.x-sl-stale-ok) {
        # The app failed and there is no copy: a plain 503.
        return (synth(503, "Service Unavailable"));
    }
    set req.http.x-sl-outcome = "miss";
}

sub vcl_pass {
    set req.http.x-sl-outcome = "pass";
}

sub vcl_backend_response {
    # The tags of what the page shows (the app's Surrogate-Key), for xkey.purge.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    if (bereq.uncacheable) {
        return (deliver);
    }
    # The app failed (a 5xx, e.g. its database is down): never replace or hide the copy in
    # grace. A background refresh is dropped; a reader's fetch is retried from grace (vcl_synth).
    if (beresp.status >= 500) {
        return (abandon);
    }
    # Only what the app marks shareable is stored: `public` or `s-maxage`. The TTL is
    # s-maxage (Varnish reads it), beresp.grace its stale-while-revalidate (ditto).
    if (beresp.http.Cache-Control !~ "(?i)(^|[ ,])(public|s-maxage=)") {
        set beresp.ttl = 0s;
    }
    set beresp.http.x-sl-swr = "0";
    if (beresp.http.Cache-Control ~ "(?i)stale-while-revalidate=[0-9]+") {
        set beresp.http.x-sl-swr = regsub(
            beresp.http.Cache-Control, "(?i)^.*stale-while-revalidate=([0-9]+).*$", "\1");
    }
    # Kept in grace for its stale-if-error too, served that long only while the app fails.
    if (beresp.http.Cache-Control ~ "(?i)stale-if-error=[0-9]+") {
        set beresp.grace = std.duration(
            regsub(beresp.http.Cache-Control, "(?i)^.*stale-if-error=([0-9]+).*$", "\1s"),
            beresp.grace);
    }
    # Pages, feeds and scripts stored compressed, once: a reader whose browser accepts gzip
    # (every browser) gets the stored bytes, others get them decompressed on the way out.
    if (beresp.http.Content-Type ~ "(?i)^(text/|application/(rss\+xml|atom\+xml|xml|json|javascript))") {
        set beresp.do_gzip = true;
    }
    # The rest is Varnish's built-in rules: Set-Cookie, private, no-store or a zero TTL make it
    # a hit-for-miss (not stored, no request coalescing).
}

sub vcl_backend_error {
    # The app is unreachable: same as a 5xx above.
    if (!bereq.uncacheable) {
        return (abandon);
    }
}

sub vcl_synth {
    # A reader's fetch failed (abandoned above): once more, from grace up to stale-if-error.
    if (resp.status == 503 && !req.http.x-sl-stale-ok && req.method != "PURGE") {
        set req.http.x-sl-stale-ok = "1";
        unset req.http.x-sl-fresh-only;
        return (restart);
    }
    set resp.http.X-Front-Cache = "synth";
    set resp.http.Content-Type = "text/plain; charset=utf-8";
    set resp.http.Cache-Control = "no-store";
    if (resp.status == 503) {
        set resp.http.Retry-After = "5";
    }
    set resp.body = "" + resp.status + " " + resp.reason + {"
"};
    return (deliver);
}

sub vcl_deliver {
    # What the front cache did: hit, miss, pass, stale (in stale-while-revalidate),
    # stale-if-error. (X-Cache is the app's own page cache.)
    set resp.http.X-Front-Cache = req.http.x-sl-outcome;
    unset resp.http.xkey;
    unset resp.http.x-sl-swr;
    unset resp.http.Via;
}
