// "Next update due": a live countdown from each [data-due] (an ISO time), in the viewer's clock.
(function () {
  function pad(n) { return String(n).padStart(2, "0"); }
  function tick() {
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
