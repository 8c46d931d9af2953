/*
 * Colloquy loader: the one classic script a site owner adds. It mounts the comment widget
 * on every [data-colloquy] element and every <colloquy-thread>, fetching the wasm only when
 * a mount point comes within about a viewport of being seen (data-loading="eager" opts out).
 * It defines nothing global but window.Colloquy, does nothing the second time it is
 * included, and never throws into the page: a failure is written into the mount point in
 * words and logged with its cause.
 */
(function () {
  "use strict";
  if (window.Colloquy) return;

  var script = document.currentScript;
  var own = script && script.src;
  // The wasm and its glue sit beside this file, and so does the API: a server deployed
  // under a path (https://example.org/comments/embed.js) answers under it.
  var assets = new URL(".", own || location.href).href;
  var defaultApi = own ? assets.slice(0, -1) : location.origin;
  // Replaced at build time by a hash of the widget, so its files can be cached for a year.
  var build = "__COLLOQUY_BUILD__";
  var OPTIONS = ["thread", "api", "title", "theme", "lang", "sort"];
  // element -> { live: bool, given: options }
  var mounts = new WeakMap();
  var loading = null;
  var glue = null;
  // url -> the promise of a fetch started here, for the widget to take (once) instead of
  // asking again: see Colloquy.take.
  var early = {};

  // A fetch whose failure is reported by whoever reads it, not as an unhandled rejection.
  function quietFetch(url) {
    var answer = fetch(url);
    answer.catch(function () {});
    return answer;
  }

  function loadWidget() {
    if (!loading) {
      // The wasm is fetched while the glue module loads, not after.
      var wasm = quietFetch(assets + "colloquy_bg.wasm?v=" + build);
      loading = import(assets + "colloquy.js?v=" + build).then(function (module) {
        return module.default({ module_or_path: wasm }).then(function () {
          return (glue = module);
        });
      });
    }
    return loading;
  }

  // The configuration and the thread are fetched while the wasm loads, at the URLs the
  // widget will ask for (src/api.rs; a key it would write differently only costs the head
  // start). The answers wait in `early`.
  function prefetch(options) {
    var base = options.api.replace(/\/+$/, "").replace(/\/api\/v1$/i, "").replace(/\/+$/, "") + "/api/v1/";
    var key = (options.thread || "").trim() || options.path.replace(/\/index\.html?$/, "/").replace(/\/+$/, "") || "/";
    var sort = /^(newest|top)$/.test(options.sort) ? options.sort : "oldest";
    // A permalink (#comment-<id>) makes the widget ask for the pages through that comment.
    var around = /^#comment-([1-9]\d*)$/.exec(location.hash);
    // The widget writes dates with the browser's Intl; the first formatter of a page loads
    // the language's data (tens of milliseconds on a slow phone): done now, while the wasm
    // downloads, and not after.
    try {
      Intl.DateTimeFormat(options.lang);
    } catch (e) {}
    [base + "config", base + "threads/" + encodeURIComponent(key) + "/comments?sort=" + sort +
      (around ? "&around=" + around[1] : "")].forEach(function (url) {
      early[url] = early[url] || quietFetch(url);
    });
  }

  function optionsOf(element, given) {
    var options = {};
    OPTIONS.forEach(function (name) {
      var value = given && given[name] != null ? given[name] :
        element.getAttribute("data-" + name) || element.getAttribute(name);
      if (value) options[name] = String(value);
    });
    // No thread named: the canonical path, else this page's (the widget normalises it).
    var canonical = document.querySelector('link[rel="canonical"][href]');
    options.path = canonical ? new URL(canonical.href, location.href).pathname : location.pathname;
    options.api = options.api || defaultApi;
    // No language named: the page's, else the widget takes the browser's.
    options.lang = options.lang || document.documentElement.lang || navigator.language;
    return options;
  }

  function start(element) {
    var entry = mounts.get(element);
    // The wasm is asked for first: the largest download takes the connection that brought
    // this script, where the small answers would each wait no longer for a new one.
    var widget = loadWidget();
    prefetch(optionsOf(element, entry && entry.given));
    widget.then(function () {
      var entry = mounts.get(element);
      // Unmounted (or mounted) while the wasm loaded.
      if (!entry || entry.live) return;
      glue.mount(element, optionsOf(element, entry.given));
      entry.live = true;
    }).catch(function (error) {
      // In English at once, then in the words of the reader's catalog, when there is
      // one of that tag's exact name (a JSON module; where those are unknown, English stays).
      var target = element.shadowRoot || element;
      var english = (target.textContent = "The comments could not be loaded.");
      import(assets + "locales/" + optionsOf(element).lang + ".json", { with: { type: "json" } })
        .then(function (catalog) {
          if (target.textContent == english) target.textContent = catalog.default.widget.load_failed;
        }, function () {});
      console.error("Colloquy could not start:", error);
    });
  }

  var observer = window.IntersectionObserver && new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        observer.unobserve(entry.target);
        start(entry.target);
      }
    });
  }, { rootMargin: "100% 0px" });

  function mount(element, given) {
    if (mounts.has(element)) return update(element, given);
    mounts.set(element, { live: false, given: given });
    // No words yet (they would be English for a moment): the widget brings them.
    if (!element.shadowRoot) element.textContent = "…";
    var eager = (given && given.loading) || element.getAttribute("data-loading") ||
      element.getAttribute("loading");
    // A permalink (#comment-<id>) is to be shown at once, wherever the thread is.
    if (eager === "eager" || !observer || /^#comment-/.test(location.hash)) start(element);
    else observer.observe(element);
  }

  function unmount(element) {
    var entry = mounts.get(element);
    if (!entry) return;
    mounts.delete(element);
    if (observer) observer.unobserve(element);
    if (entry.live) glue.unmount(element);
  }

  function update(element, given) {
    var entry = mounts.get(element);
    if (!entry) return mount(element, given);
    if (!entry.live) {
      entry.given = Object.assign({}, entry.given, given);
      return;
    }
    var options = {};
    OPTIONS.forEach(function (name) {
      if (given && given[name] != null) options[name] = String(given[name]);
    });
    glue.update(element, options);
  }

  // The public API never lets an error escape into the host's code.
  function guarded(action) {
    return function (element, options) {
      try {
        action(element, options);
      } catch (error) {
        console.error("Colloquy:", error);
      }
    };
  }

  window.Colloquy = {
    version: build,
    mount: guarded(mount),
    unmount: guarded(unmount),
    update: guarded(update),
    instances: function () {
      return glue ? glue.instances() : 0;
    },
    // For the widget: the answer already on its way for `url`, given out once.
    take: function (url) {
      var answer = early[url];
      delete early[url];
      return answer;
    }
  };

  if (window.customElements && !customElements.get("colloquy-thread")) {
    customElements.define("colloquy-thread", class extends HTMLElement {
      static get observedAttributes() {
        return OPTIONS;
      }
      connectedCallback() {
        window.Colloquy.mount(this);
      }
      disconnectedCallback() {
        window.Colloquy.unmount(this);
      }
      attributeChangedCallback(name, before, after) {
        var entry = mounts.get(this);
        if (entry && entry.live && before !== after) {
          var change = {};
          change[name] = after || "";
          window.Colloquy.update(this, change);
        }
      }
    });
  }

  function mountAll() {
    document.querySelectorAll("[data-colloquy]").forEach(function (element) {
      window.Colloquy.mount(element);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
