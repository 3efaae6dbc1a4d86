/* The API documentation page (Swagger UI): its settings come from data attributes of the container,
   so the page needs no inline script. */
(function () {
  var box = document.getElementById("swagger-ui-container");
  var config = JSON.parse(box.dataset.config || "{}");
  config.url = box.dataset.specUrl;
  config.dom_id = "#swagger-ui-container";
  window.ui = window.SwaggerUIBundle(config);
})();
