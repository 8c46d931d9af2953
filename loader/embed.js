/*
 * Colloquy loader. A site owner adds this one classic script; it finds every element with
 * a data-colloquy attribute and mounts the comment widget there. It defines nothing global
 * but window.Colloquy, does nothing the second time it is included, and never throws into
 * the page: every failure is written into the mount point in words and logged with its cause.
 */
(function () {
  "use strict";
  if (window.Colloquy) return;

  var script = document.currentScript;
  var src = script && script.src ? script.src : location.href;
  // The wasm and its glue sit beside this file; the API defaults to the same server.
  var assets = src.slice(0, src.lastIndexOf("/") + 1);
  var defaultApi = new URL(src, location.href).origin;
  var mounted = new WeakSet();
  var widget = null;

  function loadWidget() {
    if (!widget) {
      widget = import(assets + "colloquy.js").then(function (glue) {
        return glue.default({ module_or_path: assets + "colloquy_bg.wasm" }).then(function () {
          return glue;
        });
      });
    }
    return widget;
  }

  // The thread key: data-thread, else the canonical link's path, else this page's path.
  function threadOf(element) {
    var explicit = element.getAttribute("data-thread");
    if (explicit) return explicit;
    var canonical = document.querySelector('link[rel="canonical"][href]');
    return canonical ? new URL(canonical.href, location.href).pathname : location.pathname;
  }

  function report(element, error) {
    (element.shadowRoot || element).textContent = "The comments could not be loaded.";
    console.error("Colloquy: the comment widget could not start:", error);
  }

  function mount(element) {
    if (mounted.has(element)) return;
    mounted.add(element);
    if (!element.shadowRoot) element.textContent = "Loading comments…";
    loadWidget()
      .then(function (glue) {
        glue.mount(
          element,
          threadOf(element),
          element.getAttribute("data-api") || defaultApi,
          element.getAttribute("data-lang") || document.documentElement.lang || "en"
        );
      })
      .catch(function (error) {
        report(element, error);
      });
  }

  function mountAll() {
    var found = document.querySelectorAll("[data-colloquy]");
    for (var i = 0; i < found.length; i++) mount(found[i]);
  }

  window.Colloquy = { version: "0.1.0", mountAll: mountAll };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mountAll);
  } else {
    mountAll();
  }
})();
