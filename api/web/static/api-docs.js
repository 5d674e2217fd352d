// Starts Swagger UI on /docs (api/web/api_docs.py) with the application's own OpenAPI description.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
