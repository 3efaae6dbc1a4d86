/* Tracking book (Mẫu 06) being made: poll its status every second and reload once it is ready or
   has failed (the page then shows the link). Without JavaScript the page refreshes itself. */
(function () {
  var box = document.getElementById("book"), bar = document.getElementById("book-progress"),
      out = document.getElementById("book-percent");
  if (!box || !bar || !box.dataset.statusUrl) { return; }
  function poll() {
    fetch(box.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) {
        bar.value = s.progress; if (out) { out.textContent = s.progress + "%"; }
        if (s.status === "ready" || s.status === "failed") { window.location.reload(); }
        else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
