/*
 * diaban's map in the browser: a Streamlit component (protocol v1) drawing with Leaflet.
 *
 * The page sends one "view" per render (layers/webmap.py builds it): the URL of the
 * communes' GeoJSON (content-addressed: one file per province, edition and boundary
 * version), each commune's fill colour and value text, the legend, hotspot outlines and
 * labels, facility symbols. The geometry is fetched once and kept; a later render with
 * the same geometry only restyles the polygons, so a click, another period or another
 * language never redraws the map or moves it. The map fits the province's polygons
 * (bounds from the data) when they first arrive and whenever the map changes size
 * while the user has not moved it (a map opened in a hidden tab); the legend's width
 * is kept free on the right. The mouse wheel zooms only after a click on the map, so
 * the page scrolls past it. Every text from the data is set as text, never as HTML.
 */
(function () {
  "use strict";

  var S = {
    map: null, args: null, height: 0, geomUrl: null, base: null, byCode: {},
    overlays: {hotspots: null, facilities: null}, overlayKey: null, visible: {},
    legend: null, legendBody: null, legendOpen: null, tiles: null, tilesUrl: null,
    userMoved: false, programmatic: false, token: 0, selected: null, hint: null,
    hintTimer: null
  };
  var geometries = {};

  // ------------------------------------------------------------ Streamlit protocol

  function post(type, data) {
    var msg = {isStreamlitMessage: true, type: type};
    for (var k in data) { msg[k] = data[k]; }
    window.parent.postMessage(msg, "*");
  }

  function setValue(value) {
    post("streamlit:setComponentValue", {value: value, dataType: "json"});
  }

  window.addEventListener("message", function (event) {
    var d = event.data;
    if (d && d.type === "streamlit:render") {
      try {
        render(d.args.view);
      } catch (e) {
        showError(String(e));
      }
    }
  });

  // ------------------------------------------------------------ helpers

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function texts() { return (S.args && S.args.texts) || {}; }

  function showError(msg) {
    var box = document.getElementById("map");
    var e = el("div", "diaban-error", (texts().error || "") + " " + msg);
    box.appendChild(e);
  }

  // ------------------------------------------------------------ the map

  function init(a) {
    var div = document.getElementById("map");
    div.style.height = a.height + "px";
    var map = L.map(div, {zoomSnap: 0.25, scrollWheelZoom: false, attributionControl: false,
                          zoomControl: true});
    // Leaflet focuses the map on every mousedown (for its arrow keys); in a frame that is
    // partly out of view the browser would scroll the page between the press and the
    // release, and the click would land on another commune (or nowhere).
    var focus = HTMLElement.prototype.focus;
    div.focus = function () { focus.call(div, {preventScroll: true}); };
    window.diabanMap = map;  // tests and the browser console find it here
    S.map = map;
    // A view from the start (Vietnam), so the map is "loaded" even while its frame is
    // hidden (a closed tab): it can then measure itself and fit the province when shown.
    map.setView([16.0, 106.0], 5, {animate: false});
    L.control.scale({imperial: false, maxWidth: 160}).addTo(map);

    var Fit = L.Control.extend({
      options: {position: "topleft"},
      onAdd: function () {
        var b = el("button", "diaban-fit leaflet-bar", "\u2922");
        b.type = "button";
        L.DomEvent.disableClickPropagation(b);
        L.DomEvent.on(b, "click", function () { S.userMoved = false; fit(); });
        S.fitButton = b;
        return b;
      }
    });
    new Fit().addTo(map);

    map.on("dragstart", function () { S.userMoved = true; });
    map.on("zoomstart", function () { if (!S.programmatic) { S.userMoved = true; } });
    // The wheel zooms the map only once the user has clicked it (or focused it with
    // the keyboard); leaving the map gives the wheel back to the page.
    map.on("click focus", function () { map.scrollWheelZoom.enable(); });
    div.addEventListener("mouseleave", function () { map.scrollWheelZoom.disable(); });
    div.addEventListener("wheel", function () {
      if (!map.scrollWheelZoom.enabled()) { hint(); }
    }, {passive: true});
    S.hint = el("div", "diaban-hint");
    div.appendChild(S.hint);
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        map.invalidateSize({animate: false});
        if (!S.userMoved) { fit(); }
      }).observe(div);
    }
  }

  function hint() {
    if (!S.hint) { return; }
    S.hint.textContent = texts().wheel || "";
    S.hint.className = "diaban-hint shown";
    clearTimeout(S.hintTimer);
    S.hintTimer = setTimeout(function () { S.hint.className = "diaban-hint"; }, 1500);
  }

  function fit() {
    if (!S.base || !S.map) { return; }
    var size = S.map.getSize();
    if (size.x < 60 || size.y < 60) { return; }  // hidden (a closed tab): fit when shown
    var bounds = S.base.getBounds();
    if (!bounds.isValid()) { return; }
    var right = 10;
    if (S.legend && S.legendOpen) {
      var w = S.legend.getContainer().offsetWidth + 20;
      if (w < size.x * 0.45) { right = w; }  // keep the legend's strip free of polygons
    }
    S.programmatic = true;
    try {
      S.map.fitBounds(bounds, {paddingTopLeft: [10, 10], paddingBottomRight: [right, 10],
                               animate: false});
    } finally {
      S.programmatic = false;
    }
  }

  // ------------------------------------------------------------ the legend

  var Legend = L.Control.extend({
    options: {position: "topright"},
    onAdd: function () {
      var box = el("div", "diaban-legend");
      var toggle = el("button", "diaban-legend-toggle");
      toggle.type = "button";
      var body = el("div", "diaban-legend-body");
      box.appendChild(toggle);
      box.appendChild(body);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      L.DomEvent.on(toggle, "click", function () {
        S.legendOpen = !S.legendOpen;
        box.classList.toggle("collapsed", !S.legendOpen);
      });
      L.DomEvent.on(body, "change", function (e) {
        var name = e.target && e.target.getAttribute("data-layer");
        if (name) {
          S.visible[name] = e.target.checked;
          showOverlays();
        }
      });
      S.legendToggle = toggle;
      S.legendBody = body;
      return box;
    }
  });

  function legend(a) {
    if (!a.legend) {
      if (S.legend) { S.map.removeControl(S.legend); S.legend = null; }
      return;
    }
    if (!S.legend) {
      S.legend = new Legend();
      S.legend.addTo(S.map);
      S.legendOpen = a.legend_open !== false;
    }
    var box = S.legend.getContainer();
    box.classList.toggle("collapsed", !S.legendOpen);
    S.legendToggle.textContent = texts().legend || "";
    // Built by layers/webmap.py from the vocabulary, every data text escaped.
    S.legendBody.innerHTML = a.legend;
    var inputs = S.legendBody.querySelectorAll("input[data-layer]");
    for (var i = 0; i < inputs.length; i++) {
      var name = inputs[i].getAttribute("data-layer");
      if (S.visible[name] === undefined) { S.visible[name] = true; }
      inputs[i].checked = S.visible[name];
    }
  }

  // ------------------------------------------------------------ communes

  function style(code) {
    var a = S.args;
    var fill = a.fill[code] || a.no_data_color;
    var s = {fillColor: fill, fillOpacity: 0.85, color: "#555", weight: 0.6, opacity: 1};
    if (code === S.selected) { s.color = "#000"; s.weight = 3; }
    return s;
  }

  function restyle() {
    for (var code in S.byCode) { S.byCode[code].setStyle(style(code)); }
    if (S.selected && S.byCode[S.selected]) { S.byCode[S.selected].bringToFront(); }
  }

  function tooltip(p) {
    var a = S.args, t = texts();
    var box = el("div", "diaban-tip");
    function row(label, value) {
      if (value === undefined || value === null || value === "") { return; }
      var line = el("div");
      line.appendChild(el("b", null, label + ": "));
      line.appendChild(document.createTextNode(String(value)));
      box.appendChild(line);
    }
    row(t.commune, p.name);
    row(t.district, p.district);
    var v = a.values[p.code];
    row(a.value_label, v === undefined ? t.no_data : v);
    row(t.status, (a.status || {})[p.code]);
    return box;
  }

  function select(p) {
    var before = S.selected;
    S.selected = p.code;
    document.body.setAttribute("data-selected", p.code);
    if (before && S.byCode[before]) { S.byCode[before].setStyle(style(before)); }
    if (S.byCode[p.code]) {
      S.byCode[p.code].setStyle(style(p.code));
      S.byCode[p.code].bringToFront();
    }
    if (S.args.clickable) {
      setValue({last_active_drawing: {type: "Feature", geometry: null,
                                      properties: {code: p.code, name: p.name}}});
    }
  }

  function build(geojson) {
    if (S.base) { S.map.removeLayer(S.base); }
    S.byCode = {};
    S.base = L.geoJSON(geojson, {
      style: function (f) { return style(f.properties.code); },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        S.byCode[p.code] = layer;
        layer.bindTooltip(function () { return tooltip(p); }, {sticky: true});
        layer.on("click", function () { select(p); });
        layer.on("mouseover", function () { layer.setStyle({weight: 2.5, color: "#000"}); });
        layer.on("mouseout", function () { layer.setStyle(style(p.code)); });
      }
    }).addTo(S.map);
    S.base.bringToBack();
  }

  // ------------------------------------------------------------ hotspots, facilities

  function overlays(a) {
    var key = JSON.stringify([a.outlines, a.labels, a.facilities, a.layer_names]);
    if (key === S.overlayKey && S.overlays.hotspots !== null) { return; }
    S.overlayKey = key;
    for (var name in S.overlays) {
      if (S.overlays[name]) { S.map.removeLayer(S.overlays[name]); }
    }
    var hot = L.featureGroup();
    var colors = {};
    (a.outlines || []).forEach(function (o) { colors[o.code] = o.color; });
    if (S.base) {
      S.base.eachLayer(function (layer) {
        var code = layer.feature.properties.code;
        if (colors[code]) {
          L.geoJSON(layer.feature, {interactive: false, style: {
            fill: false, color: colors[code], weight: 3.5, opacity: 1}}).addTo(hot);
        }
      });
    }
    (a.labels || []).forEach(function (lab) {
      var box = el("div");
      box.style.color = lab.color;
      // The name only: the status is the outline's colour (legend) and in the tooltip.
      box.appendChild(document.createTextNode(lab.name));
      L.marker([lab.lat, lab.lon], {interactive: false, keyboard: false,
        icon: L.divIcon({html: box, className: "diaban-hotlabel", iconSize: [0, 0]})}
      ).addTo(hot);
    });
    var fac = L.featureGroup();
    (a.facilities || []).forEach(function (f) {
      var size = 20;
      var marker = L.marker([f.lat, f.lon], {
        // The symbol's SVG comes from the vocabulary (layers.offline.facility_svg).
        icon: L.divIcon({html: (a.symbols || {})[f.kind] || "", iconSize: [size, size],
                         iconAnchor: [size / 2, size / 2], popupAnchor: [0, -size / 2],
                         className: "diaban-facility diaban-facility-" + f.kind})
      });
      var pop = el("div");
      pop.appendChild(el("b", null, f.name));
      pop.appendChild(el("br"));
      pop.appendChild(document.createTextNode(f.kind_label));
      if (f.capacity) {
        pop.appendChild(el("br"));
        pop.appendChild(document.createTextNode(f.capacity));
      }
      marker.bindPopup(pop, {maxWidth: 260});
      marker.bindTooltip(el("span", null, f.name));
      marker.addTo(fac);
    });
    S.overlays.hotspots = hot;
    S.overlays.facilities = fac;
    showOverlays();
  }

  function showOverlays() {
    for (var name in S.overlays) {
      var layer = S.overlays[name];
      if (!layer) { continue; }
      var on = S.visible[name] !== false;
      if (on && !S.map.hasLayer(layer)) { layer.addTo(S.map); }
      if (!on && S.map.hasLayer(layer)) { S.map.removeLayer(layer); }
    }
  }

  function tiles(a) {
    if ((a.tiles || null) === S.tilesUrl) { return; }
    if (S.tiles) { S.map.removeLayer(S.tiles); S.tiles = null; }
    S.tilesUrl = a.tiles || null;
    if (S.tilesUrl) {
      S.tiles = L.tileLayer(S.tilesUrl, {attribution: a.tiles_attribution || ""});
      S.tiles.addTo(S.map);
      S.tiles.bringToBack();
    }
  }

  // ------------------------------------------------------------ one render

  function render(a) {
    S.args = a;
    if (!S.map) { init(a); }
    if (a.height !== S.height) {
      S.height = a.height;
      document.getElementById("map").style.height = a.height + "px";
      post("streamlit:setFrameHeight", {height: a.height});
      S.map.invalidateSize({animate: false});
    }
    if (a.selected !== undefined && a.selected !== S.selected) { S.selected = a.selected; }
    tiles(a);
    legend(a);
    if (a.geometry !== S.geomUrl) {
      S.geomUrl = a.geometry;
      var token = ++S.token;
      var cached = geometries[a.geometry];
      var load = cached ? Promise.resolve(cached) :
        fetch(a.geometry, {cache: "force-cache"}).then(function (r) {
          if (!r.ok) { throw new Error("HTTP " + r.status); }
          return r.json();
        });
      load.then(function (g) {
        geometries[a.geometry] = g;
        if (token !== S.token) { return; }
        build(g);
        S.overlayKey = null;
        overlays(S.args);
        S.userMoved = false;
        fit();
        document.body.setAttribute("data-drawn", S.geomUrl);
      }).catch(function (e) { showError(String(e)); });
    } else if (S.base) {
      restyle();
      overlays(a);
    }
  }

  post("streamlit:componentReady", {apiVersion: 1});
})();
