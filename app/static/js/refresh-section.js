/* Refresh one section of the page (data-section: its id) every data-interval ms while it still holds an
   element marked [data-pending] (e.g. a form PDF being generated), without reloading the page, so
   nothing typed elsewhere is lost. */
(function () {
  var script = document.currentScript;
  var id = script.dataset.section, interval = parseInt(script.dataset.interval || "5000", 10);
  var timer = setInterval(function () {
    fetch(location.pathname + location.search, {credentials: "same-origin"}).then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(id);
        var here = document.getElementById(id);
        if (fresh && here) here.innerHTML = fresh.innerHTML;
        if (!document.querySelector("#" + id + " [data-pending]")) clearInterval(timer);
      });
  }, interval);
})();
