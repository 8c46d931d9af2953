// Keyboard shortcuts of the Colloquy console's comment lists: j and k move between
// comments, x selects one, a approves, d deletes, o opens. Every action is also a button
// that Tab reaches; this only saves keystrokes. Typing in a field is never taken over.
(function () {
  "use strict";
  var items = function () {
    return Array.prototype.slice.call(document.querySelectorAll("li.comment"));
  };
  var current = function () {
    var element = document.activeElement;
    return element && element.closest ? element.closest("li.comment") : null;
  };
  var press = function (item, selector) {
    var control = item && item.querySelector(selector);
    if (control) {
      control.click();
    }
  };
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var target = event.target;
    if (target && target.matches && target.matches("input, textarea, select, [contenteditable]")) {
      if (!(target.type === "checkbox" && target.closest("li.comment"))) {
        return;
      }
    }
    var list = items();
    if (list.length === 0) {
      return;
    }
    var item = current();
    var at = item ? list.indexOf(item) : -1;
    switch (event.key) {
      case "j":
        list[Math.min(at + 1, list.length - 1)].focus();
        break;
      case "k":
        list[Math.max(at - 1, 0)].focus();
        break;
      case "x":
        press(item, "input[type=checkbox]");
        break;
      case "a":
        press(item, "button.approve");
        break;
      case "d":
        press(item, "button.delete");
        break;
      case "o":
        press(item, "a.open");
        break;
      default:
        return;
    }
    event.preventDefault();
  });
})();
