/* Supervisor dashboard (/stats): draws the charts from the page's JSON endpoint (section[data-src]) with
   the vendored Chart.js, and makes .st-sortable tables sortable by any column with the mouse or the
   keyboard (each header becomes a button; aria-sort tells screen readers the order). Every chart has a
   table equivalent on the page, which works without this script. */
(function () {
  "use strict";
  var COLORS = {blue: "#0b57d0", green: "#1e7b34", red: "#b3261e", amber: "#9a6100", grey: "#5c5f66",
                teal: "#00796b", target: "#a5141b"};

  function pct(v) { return v === null || v === undefined ? null : Math.round(v * 1000) / 10; }

  function targetLine(label, value, count, color) {  // null when no target applies (then left out)
    if (value === null) return null;
    var data = [];
    for (var i = 0; i < count; i++) data.push(value);
    return {type: "line", label: label, data: data, borderColor: color || COLORS.target, borderDash: [6, 4],
            borderWidth: 2, pointRadius: 0, fill: false, order: 0};
  }

  function percentAxis(position, grid) {
    return {position: position || "left", min: 0, max: 100, grid: {drawOnChartArea: grid !== false},
            ticks: {callback: function (v) { return v + "%"; }}};
  }

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    canvas.parentNode.hidden = false;  // shown only once there is something to draw
    config.options = Object.assign({responsive: true, maintainAspectRatio: false, animation: false,
                                    plugins: {legend: {position: "bottom"}}}, config.options || {});
    new window.Chart(canvas, config);
  }

  function charts(data) {
    var L = data.labels;
    draw("chart-channels", {type: "bar", data: {labels: L.channels, datasets: [
      {label: L.received, data: data.channels, backgroundColor: [COLORS.blue, COLORS.teal, COLORS.grey]}]},
      options: {plugins: {legend: {display: false}}, scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}});
    draw("chart-completion", {type: "bar", data: {labels: L.completion, datasets: [
      {label: L.completion.join(" / "), data: data.completion,
       backgroundColor: [COLORS.green, COLORS.blue, COLORS.red]}]},
      options: {plugins: {legend: {display: false}}, scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}});
    var names = data.breakdown.map(function (r) { return r.label; });
    var box = document.getElementById("chart-breakdown");
    if (box) box.parentNode.style.height = Math.max(12, 4 + names.length * 1.8) + "rem";  // a bar per row
    draw("chart-breakdown", {type: "bar", data: {labels: names, datasets: [
      {label: L.online_share + " (%)", data: data.breakdown.map(function (r) { return pct(r.online_share); }),
       backgroundColor: COLORS.blue},
      targetLine(L.target + " " + pct(data.targets.online_share) + "%", pct(data.targets.online_share), names.length)
    ].filter(Boolean)},
      options: {indexAxis: "y", scales: {x: percentAxis("bottom"), y: {ticks: {autoSkip: false, callback: function (v) {
        var text = names[v] || "", max = section.clientWidth < 500 ? 18 : 34;
        return text.length > max ? text.slice(0, max - 1) + "…" : text; }}}}}});
    var months = data.trend.map(function (r) { return r.month; });
    draw("chart-trend", {type: "bar", data: {labels: months, datasets: [
      {label: L.received, data: data.trend.map(function (r) { return r.received; }),
       backgroundColor: "#c6dafc", yAxisID: "count", order: 3},
      {type: "line", label: L.on_time_rate + " (%)", data: data.trend.map(function (r) { return pct(r.on_time_rate); }),
       borderColor: COLORS.green, backgroundColor: COLORS.green, yAxisID: "y", spanGaps: true, order: 1},
      {type: "line", label: L.online_share + " (%)", data: data.trend.map(function (r) { return pct(r.online_share); }),
       borderColor: COLORS.blue, backgroundColor: COLORS.blue, yAxisID: "y", spanGaps: true, order: 1},
      targetLine(L.target + ": " + L.online_share + " " + pct(data.targets.online_share) + "%",
                 pct(data.targets.online_share), months.length),
      targetLine(L.target + ": " + L.on_time_rate + " " + pct(data.targets.on_time_rate) + "%",
                 pct(data.targets.on_time_rate), months.length, COLORS.amber)
    ].filter(Boolean)},
      options: {scales: {y: percentAxis("right", false),
                         count: {position: "left", beginAtZero: true, ticks: {precision: 0}}}}});
  }

  var section = document.querySelector("[data-src]");
  if (section && window.Chart) {
    fetch(section.dataset.src, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) charts(data); });
  }

  function sortValue(cell) {
    var raw = cell.getAttribute("data-sort");
    if (raw === null) raw = cell.textContent.trim();
    raw = raw.trim();
    return /^-?\d+(\.\d+)?(e-?\d+)?$/i.test(raw) ? parseFloat(raw) : raw.toLowerCase();
  }

  document.querySelectorAll("table.st-sortable").forEach(function (table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "st-sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var descending = th.getAttribute("aria-sort") !== "descending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = sortValue(a.cells[index]), y = sortValue(b.cells[index]);
          var order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), document.documentElement.lang);
          return descending ? -order : order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
