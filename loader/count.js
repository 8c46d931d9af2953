/*
 * Colloquy comment counts: the classic script a listing page adds once. Every element with
 * data-colloquy-count (a thread key; empty: the element's own href, normalised as the
 * loader normalises a page's path) gets its thread's count in words, in the page's
 * language, from ONE request to the server it came from (one per hundred threads). It loads
 * no widget and no wasm, defines nothing global, never writes markup, and never throws into
 * the page: on any failure the elements keep what they showed.
 */
(function () {
  "use strict";
  var script = document.currentScript;

  function show(endpoint, keys, shown) {
    var query = new URLSearchParams();
    keys.forEach(function (key) {
      query.append("thread", key);
    });
    var lang = document.documentElement.lang || navigator.language;
    if (lang) query.append("lang", lang);
    fetch(endpoint + query)
      .then(function (answer) {
        if (!answer.ok) throw "HTTP " + answer.status;
        return answer.json();
      })
      .then(function (body) {
        body.counts.forEach(function (count) {
          if (typeof count.text != "string") return;
          (shown.get(count.thread) || []).forEach(function (element) {
            element.textContent = count.text;
            element.setAttribute("data-colloquy-count-value", count.count);
          });
        });
      })
      .catch(function (error) {
        console.error("Colloquy: the comment counts could not be shown:", error);
      });
  }

  function countAll() {
    try {
      // The API sits beside this file (a server under a path answers under it), unless
      // the tag names it with data-api, as a mount point may.
      var api = (script && script.getAttribute("data-api")) ||
        (script && script.src ? new URL(".", script.src).href : location.origin);
      var endpoint = api.replace(/\/+$/, "").replace(/\/api\/v1$/i, "").replace(/\/+$/, "") +
        "/api/v1/counts?";
      // thread key -> the elements that show its count (a Map: keys are the page's words)
      var shown = new Map();
      document.querySelectorAll("[data-colloquy-count]").forEach(function (element) {
        var key = element.getAttribute("data-colloquy-count").trim() ||
          new URL(element.getAttribute("href") || "", document.baseURI).pathname
            .replace(/\/index\.html?$/, "/").replace(/\/+$/, "") || "/";
        if (!shown.has(key)) shown.set(key, []);
        shown.get(key).push(element);
      });
      var keys = Array.from(shown.keys());
      // The server answers at most 100 threads a request.
      for (var first = 0; first < keys.length; first += 100) {
        show(endpoint, keys.slice(first, first + 100), shown);
      }
    } catch (error) {
      console.error("Colloquy: the comment counts could not be shown:", error);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", countAll);
  else countAll();
})();
