// triage review: keyboard shortcuts and live SLA countdowns. Everything works without this file.
(function () {
  "use strict";
  function typing(el) {
    return el && (el.tagName === "TEXTAREA" || el.tagName === "INPUT" || el.tagName === "SELECT" || el.isContentEditable);
  }
  function fmt(ms) {
    var mins = Math.floor(Math.abs(ms) / 60000), d = Math.floor(mins / 1440), h = Math.floor((mins % 1440) / 60), m = mins % 60;
    var t = d ? d + "d " + h + "h" : h ? h + "h " + m + "m" : m + "m";
    return ms >= 0 ? "in " + t : "overdue by " + t;
  }
  function tick() {
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var ms = new Date(el.getAttribute("datetime")).getTime() - Date.now();
      el.textContent = fmt(ms);
      el.classList.toggle("overdue", ms < 0);
    });
  }
  function click(id) {
    var el = document.getElementById(id);
    if (el && !el.disabled) { el.click(); return true; }
    return false;
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 30000);
    var reply = document.getElementById("final_reply"), note = document.getElementById("edit-note");
    if (reply && note) {
      reply.addEventListener("input", function () {
        note.textContent = reply.value === reply.getAttribute("data-draft") ? "" : "Edited: the reply differs from the draft.";
      });
      reply.addEventListener("keydown", function (ev) {
        if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter") { ev.preventDefault(); click("edit"); }
      });
    }
    var links = Array.prototype.slice.call(document.querySelectorAll("a.ticket-link"));
    document.addEventListener("keydown", function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(document.activeElement)) { return; }
      var k = ev.key;
      if (links.length && (k === "j" || k === "k")) {
        var i = links.indexOf(document.activeElement);
        i = k === "j" ? Math.min(links.length - 1, i + 1) : Math.max(0, i - 1);
        links[i].focus();
        ev.preventDefault();
        return;
      }
      if (k === "a" && click("accept")) { ev.preventDefault(); }
      else if (k === "r" && click("reject")) { ev.preventDefault(); }
      else if (k === "c" && click("claim")) { ev.preventDefault(); }
      else if (k === "e" && reply) { ev.preventDefault(); reply.focus(); }
      else if (k === "g") { window.location.href = "/review/"; }
    });
  });
})();
