// "Next update due": a live countdown from each [data-due] (an ISO time), in the viewer's clock;
// and each <time data-relative> as "3 min ago", its UTC text kept in the hover beside the local time.
(function () {
  function pad(n) { return String(n).padStart(2, "0"); }
  function ago(seconds) {
    if (seconds < 45) return "just now";
    if (seconds < 3600) return Math.round(seconds / 60) + " min ago";
    if (seconds < 86400) return Math.round(seconds / 3600) + " h ago";
    return Math.round(seconds / 86400) + " d ago";
  }
  function relative() {
    document.querySelectorAll("time[data-relative]").forEach(function (el) {
      var at = Date.parse(el.getAttribute("datetime"));
      if (isNaN(at)) return;
      if (!el.dataset.utc) el.dataset.utc = el.textContent;
      el.textContent = ago(Math.max(0, (Date.now() - at) / 1000));
      el.title = new Date(at).toLocaleString() + " (your time) · " + el.dataset.utc;
    });
  }
  function tick() {
    relative();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) return;
      var left = Math.round((due - Date.now()) / 1000);
      var s = Math.abs(left);
      var text = Math.floor(s / 60) + ":" + pad(s % 60);
      el.textContent = left >= 0 ? "in " + text : "overdue by " + text;
      el.classList.toggle("overdue", left < 0);
      el.title = new Date(due).toLocaleString();
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
})();
