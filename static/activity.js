// Keeps the dashboard's live numbers current. The page is rendered with
// them; this polls /api/status every few seconds and writes each value into
// the elements that name its path in the JSON:
//   data-live="a.b.c"       the value as text
//   data-live-time="a.b"    an RFC 3339 time as "2006-01-02 15:04 UTC"
//   data-live-value="a.b"   a <progress> element's value
//   data-live-show="a.b"    shown while the value is true (hidden otherwise)
//   data-live-hide="a.b"    hidden while the value is true
// Without JavaScript the numbers are those of the page's loading.
(function () {
  "use strict";
  var root = document.querySelector("[data-status-url]");
  if (!root || !window.fetch || !document.querySelectorAll) {
    return;
  }
  var url = root.getAttribute("data-status-url");
  var every = 3000;

  function flatten(value, prefix, out) {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      Object.keys(value).forEach(function (k) {
        flatten(value[k], prefix ? prefix + "." + k : k, out);
      });
    } else {
      out[prefix] = value;
    }
    return out;
  }

  function when(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime()) || d.getUTCFullYear() < 2) {
      return "never";
    }
    return d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }

  function each(attr, fn, values) {
    var els = document.querySelectorAll("[" + attr + "]");
    for (var i = 0; i < els.length; i++) {
      var key = els[i].getAttribute(attr);
      if (Object.prototype.hasOwnProperty.call(values, key)) {
        fn(els[i], values[key]);
      }
    }
  }

  function apply(values) {
    each("data-live", function (el, v) {
      var text = Array.isArray(v) ? v.join(" ") : String(v);
      if (el.textContent !== text) {
        el.textContent = text;
      }
    }, values);
    each("data-live-time", function (el, v) { el.textContent = when(v); }, values);
    each("data-live-value", function (el, v) { el.value = Number(v); el.textContent = v + "%"; }, values);
    each("data-live-show", function (el, v) { el.hidden = !v; }, values);
    each("data-live-hide", function (el, v) { el.hidden = !!v; }, values);
  }

  function schedule(ms) {
    window.setTimeout(tick, ms || every);
  }

  function tick() {
    if (document.hidden) {
      schedule();
      return;
    }
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (r) {
        var type = r.headers.get("Content-Type") || "";
        if (!r.ok || type.indexOf("application/json") !== 0) {
          // Logged out, or bcqb is restarting: try again, more slowly.
          throw new Error("status " + r.status);
        }
        return r.json();
      })
      .then(function (status) {
        apply(flatten(status, "", {}));
        schedule();
      })
      .catch(function () {
        schedule(every * 5);
      });
  }

  schedule();
}());
