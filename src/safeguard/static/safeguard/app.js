// What htmx does when an action in place fails: say so where the person is looking, and to
// screen readers, instead of silently doing nothing.
(function () {
  "use strict";

  function show(target, text) {
    var announce = document.getElementById("queue-announcement");
    if (announce) {
      announce.textContent = text;
    }
    if (!target) {
      return;
    }
    var old = target.querySelector(".app-htmx-error");
    if (old) {
      old.remove();
    }
    var message = document.createElement("p");
    message.className = "govuk-error-message app-htmx-error";
    var hidden = document.createElement("span");
    hidden.className = "govuk-visually-hidden";
    hidden.textContent = "Error: ";
    message.appendChild(hidden);
    message.appendChild(document.createTextNode(text));
    target.prepend(message);
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    var text = status === 403
      ? "This could not be sent. Refresh the page and try again."
      : status === 404
        ? "This alert or record is no longer available to you. Refresh the page."
        : "Sorry, there is a problem with the service. Try again later.";
    show(event.detail.target, text);
  });

  document.addEventListener("htmx:sendError", function (event) {
    show(event.detail.target, "Safeguard could not be reached. Check your connection and try again.");
  });
})();
