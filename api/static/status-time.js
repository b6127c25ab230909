// The public status page: each <time datetime> (rendered in UTC, right without script) shown in
// the viewer's own time zone, with the UTC text kept in its hover; and the page refreshed every
// 30 s, except while someone is typing an address into the subscribe form.
(function () {
  function local() {
    document.querySelectorAll("time[datetime]").forEach(function (el) {
      var at = new Date(el.getAttribute("datetime"));
      if (isNaN(at.getTime()) || el.dataset.utc) return;
      el.dataset.utc = el.textContent;
      el.textContent = at.toLocaleString(undefined, {
        day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
      });
      el.title = el.dataset.utc;
      el.classList.add("local");
    });
  }
  function refresh() {
    var field = document.getElementById("subscribe-email");
    if (field && (field.value || document.activeElement === field)) return;
    window.location.reload();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", local);
  else local();
  setInterval(refresh, 30000);
})();
