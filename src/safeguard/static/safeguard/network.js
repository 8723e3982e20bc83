// The network view: people and places within two steps of a person, drawn with Cytoscape.js.
// Data comes from the page's JSON endpoint (data-url); selecting a node opens its page.
(function () {
  "use strict";

  var container = document.getElementById("network");
  if (!container || typeof window.cytoscape !== "function") {
    return;
  }

  var COLOURS = { risk: "#ca3535", child: "#1d70b8", none: "#505a5f", place: "#00703c" };

  function draw(data) {
    var cy = window.cytoscape({
      container: container,
      elements: data.elements,
      minZoom: 0.3,
      maxZoom: 2.5,
      style: [
        {
          selector: "node",
          style: {
            "background-color": function (node) { return COLOURS[node.data("risk")] || COLOURS.none; },
            "label": "data(label)",
            "font-family": "GDS Transport, arial, sans-serif",
            "font-size": 14,
            "color": "#0b0c0c",
            "text-valign": "bottom",
            "text-margin-y": 4,
            "text-wrap": "wrap",
            "text-max-width": 170,
            "text-background-color": "#ffffff",
            "text-background-opacity": 0.85,
            "text-background-padding": 2,
            "width": 26,
            "height": 26
          }
        },
        { selector: "node[kind = 'place']", style: { "shape": "round-rectangle", "width": 22, "height": 22 } },
        { selector: "node[?centre]", style: { "width": 40, "height": 40, "border-width": 4, "border-color": "#0b0c0c", "font-weight": "bold", "font-size": 16 } },
        {
          selector: "edge",
          style: {
            "width": 2,
            "line-color": "#b1b4b6",
            "curve-style": "bezier",
            "label": "data(label)",
            "font-size": 12,
            "color": "#484949",
            "text-rotation": "autorotate",
            "text-background-color": "#ffffff",
            "text-background-opacity": 0.85
          }
        },
        { selector: "node:selected", style: { "border-width": 4, "border-color": "#ffdd00" } }
      ],
      // Rings by steps from the person first, then a force-directed pass from there (the same
      // start gives the same drawing every time) so that lines do not run across other nodes.
      layout: {
        name: "concentric",
        concentric: function (node) { return node.data("level"); },
        levelWidth: function () { return 1; },
        minNodeSpacing: 60,
        animate: false
      }
    });
    cy.layout({
      name: "cose",
      randomize: false,
      animate: false,
      fit: true,
      padding: 40,
      nodeDimensionsIncludeLabels: true,
      nodeRepulsion: function () { return 400000; },
      idealEdgeLength: function () { return 100; },
      edgeElasticity: function () { return 100; },
      nodeOverlap: 20,
      gravity: 40,
      numIter: 2000
    }).run();
    // A small network is drawn at a readable size, not blown up to fill the box.
    if (cy.zoom() > 1.3) {
      cy.zoom(1.3);
      cy.center();
    }
    cy.on("mouseover", "node[url != '']", function () { container.classList.add("app-network--pointer"); });
    cy.on("mouseout", "node", function () { container.classList.remove("app-network--pointer"); });
    cy.on("tap", "node", function (event) {
      var url = event.target.data("url");
      if (url) {
        window.location.assign(url);
      }
    });
    container.cy = cy; // the browser tests find the nodes' positions through it
    container.setAttribute("data-ready", "true");
  }

  fetch(container.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error("The network could not be loaded (" + response.status + ")"); }
      return response.json();
    })
    .then(draw)
    .catch(function (error) {
      var message = document.createElement("p");
      message.className = "govuk-body govuk-error-message";
      message.textContent = error.message + ". The list below shows the same connections.";
      container.replaceChildren(message);
    });
})();
