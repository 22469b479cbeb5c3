/* The API documentation page: Swagger UI (served from this site's static files) on the schema
   named by data-schema-url. A change tried from the page carries the session's CSRF token;
   Swagger UI's online validator is off (no request leaves the site). */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle === "undefined") { return; }
  var safe = ["GET", "HEAD", "OPTIONS"];
  window.SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    validatorUrl: null,
    requestInterceptor: function (request) {
      if (safe.indexOf((request.method || "GET").toUpperCase()) === -1) {
        request.headers["X-CSRFToken"] = root.dataset.csrfToken;
      }
      return request;
    }
  });
})();
