/* lucidnet playground: the page. It draws what the Python engine sends and sends back what the
 * user changes. Plain JavaScript, no library, no build step, no external URL.
 *
 * Data flow: the URL hash (TensorFlow Playground's keys) -> POST /api/sessions -> State;
 * controls -> PATCH /api/sessions/{id} -> State; EventSource /api/sessions/{id}/events ->
 * `frame` (drawn on the next animation frame, only the latest one) and `state` events.
 */
(function () {
  "use strict";

  // ---------------------------------------------------------------- constants
  // TensorFlow Playground's colours: orange for -1, light grey for 0, blue for +1.
  var NEG = [245, 147, 34], MID = [232, 234, 235], POS = [8, 119, 189];
  var LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
  var REG_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
  var FEATURES = [
    {key: "x", label: "X<sub>1</sub>", f: function (a) { return a; }},
    {key: "y", label: "X<sub>2</sub>", f: function (a, b) { return b; }},
    {key: "xSquared", label: "X<sub>1</sub><sup>2</sup>", f: function (a) { return a * a; }},
    {key: "ySquared", label: "X<sub>2</sub><sup>2</sup>", f: function (a, b) { return b * b; }},
    {key: "xTimesY", label: "X<sub>1</sub>X<sub>2</sub>", f: function (a, b) { return a * b; }},
    {key: "sinX", label: "sin(X<sub>1</sub>)", f: function (a) { return Math.sin(a); }},
    {key: "sinY", label: "sin(X<sub>2</sub>)", f: function (a, b) { return Math.sin(b); }},
    {key: "cosX", label: "cos(X<sub>1</sub>)", f: function (a) { return Math.cos(a); }, hidden: true},
    {key: "cosY", label: "cos(X<sub>2</sub>)", f: function (a, b) { return Math.cos(b); }, hidden: true}
  ];
  var FEATURE_KEYS = FEATURES.map(function (f) { return f.key; });
  // TensorFlow Playground's URL keys with their types, then lucidnet's additions.
  var KEY_TYPES = {
    activation: "string", regularization: "string", batchSize: "number", dataset: "string",
    regDataset: "string", learningRate: "number", regularizationRate: "number", noise: "number",
    networkShape: "array", seed: "string", showTestData: "bool", discretize: "bool",
    percTrainData: "number", x: "bool", y: "bool", xTimesY: "bool", xSquared: "bool",
    ySquared: "bool", cosX: "bool", sinX: "bool", cosY: "bool", sinY: "bool", collectStats: "bool",
    problem: "string", initZero: "bool", hideText: "bool",
    optimizer: "string", schedule: "string", init: "string", batchNorm: "bool", dropout: "number",
    inputNoise: "number", scheduleSteps: "number", preset: "string", autoplay: "bool"
  };
  var CLASSIFICATION_SETS = [
    {key: "circle", title: "Circle"}, {key: "xor", title: "Exclusive or"},
    {key: "gauss", title: "Gaussian"}, {key: "spiral", title: "Spiral"}];
  var REGRESSION_SETS = [{key: "reg-plane", title: "Plane"}, {key: "reg-gauss", title: "Multi Gaussian"}];
  var THUMB = 34;          // neuron thumbnail size in CSS pixels
  var NODE_GAP = 14;       // vertical gap between nodes
  var MAX_DRAWN = 64;      // units drawn per layer (the server sends at most 64 thumbnails)

  // ---------------------------------------------------------------- page state
  var session = null;      // latest State from the server
  var sessionId = null;
  var events = null;       // EventSource
  var pendingFrame = null; // latest frame not yet drawn
  var latestFrame = null;  // the newest frame received, by (build, step): nothing older is drawn
  var shownFrame = null;   // the frame on the page
  var structureKey = "";   // network shape + features: rebuild the diagram when it changes
  var linkEls = [];        // [layer][i][j] -> path element
  var biasEls = [];        // [layer][j] -> element
  var neuronCanvases = []; // [layer][j] -> canvas (layer 0 = inputs, last = output)
  var lastWrittenHash = null;
  var presets = [];
  var csvText = null;
  var apiOptions = {};
  // counters for diagnostics and tests (frames received over SSE, frames drawn)
  var stats = window.lucidnetPlayground = {framesReceived: 0, framesDrawn: 0};

  var $ = function (id) { return document.getElementById(id); };

  // ---------------------------------------------------------------- colour
  function colour(v) {
    if (v === null || v === undefined || isNaN(v)) { return [0, 0, 0]; }
    if (v > 1) { v = 1; } else if (v < -1) { v = -1; }
    var a = v < 0 ? NEG : POS, t = Math.abs(v);
    return [MID[0] + (a[0] - MID[0]) * t, MID[1] + (a[1] - MID[1]) * t, MID[2] + (a[2] - MID[2]) * t];
  }
  var LUT = (function () {            // 256 steps from -1 to 1: one lookup per pixel
    var lut = new Uint8ClampedArray(256 * 3);
    for (var i = 0; i < 256; i++) {
      var c = colour(i / 127.5 - 1);
      lut[3 * i] = c[0]; lut[3 * i + 1] = c[1]; lut[3 * i + 2] = c[2];
    }
    return lut;
  })();
  function cssColour(v) {
    var c = colour(v);
    return "rgb(" + Math.round(c[0]) + "," + Math.round(c[1]) + "," + Math.round(c[2]) + ")";
  }

  /** Paint `values` (n*n floats, row 0 at the top, in [-1, 1]) into `canvas` with ImageData. */
  function paint(canvas, values, n, discretize, scale) {
    if (!values || !n) { return; }
    if (canvas.width !== n) { canvas.width = n; canvas.height = n; }
    var ctx = canvas.getContext("2d");
    var img = ctx.createImageData(n, n), d = img.data;
    var s = scale || 1;
    for (var k = 0; k < n * n; k++) {
      var v = values[k], p = 4 * k;
      if (v === null || v === undefined) { d[p] = 0; d[p + 1] = 0; d[p + 2] = 0; d[p + 3] = 255; continue; }
      v = v / s;
      if (discretize) { v = v >= 0 ? 1 : -1; }
      var i = Math.round((v + 1) * 127.5);
      if (i < 0) { i = 0; } else if (i > 255) { i = 255; }
      d[p] = LUT[3 * i]; d[p + 1] = LUT[3 * i + 1]; d[p + 2] = LUT[3 * i + 2]; d[p + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  // ---------------------------------------------------------------- messages
  function showError(message) {
    $("error-text").textContent = message;
    $("error").hidden = false;
  }
  function clearError() { $("error").hidden = true; $("error-text").textContent = ""; }

  // ---------------------------------------------------------------- HTTP
  function request(method, path, body, contentType) {
    var init = {method: method, headers: {}};
    if (body !== undefined) {
      if (contentType) { init.headers["Content-Type"] = contentType; init.body = body; }
      else { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    }
    return fetch(path, init).then(function (resp) {
      return resp.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!resp.ok) {
          var msg = data && data.error ? data.error
            : "The server answered " + resp.status + " " + resp.statusText + " to " + method + " " + path + ".";
          var err = new Error(msg); err.status = resp.status; throw err;
        }
        return data;
      });
    }, function () {
      throw new Error("The playground server does not answer (" + method + " " + path +
                      "). Is `lucidnet playground` still running?");
    });
  }

  /** A call on the current session; a session that expired is created again from the config. */
  function sessionCall(method, suffix, body, contentType) {
    var path = "/api/sessions/" + sessionId + suffix;
    return request(method, path, body, contentType).catch(function (err) {
      if (err.status === 404 && session) {
        return createSession(configForUrl(session.config)).then(function () {
          return request(method, "/api/sessions/" + sessionId + suffix, body, contentType);
        });
      }
      throw err;
    });
  }

  function update(partial) {
    clearError();
    return sessionCall("PATCH", "", partial).then(applyState).catch(function (err) {
      showError(err.message);
      if (session) { syncControls(session.config); }   // put the control back
    });
  }

  // ---------------------------------------------------------------- URL hash
  /** Parse a TensorFlow Playground hash into a config object (unknown keys are ignored). */
  function parseHash(hash) {
    var out = {};
    hash = (hash || "").replace(/^#/, "");
    if (!hash) { return out; }
    hash.split("&").forEach(function (kv) {
      var i = kv.indexOf("="), name = i < 0 ? kv : kv.slice(0, i), raw = i < 0 ? "" : kv.slice(i + 1);
      try { raw = decodeURIComponent(raw); } catch (e) { /* keep it raw */ }
      var type = KEY_TYPES[name];
      if (!type) { return; }
      if (type === "array") {
        out[name] = raw.trim() === "" ? [] : raw.split(",").map(Number);
        return;
      }
      if (raw.trim() === "") { return; }
      if (type === "number") { out[name] = isNaN(+raw) ? raw : +raw; }   // the server names a bad value
      else if (type === "bool") { out[name] = !(raw === "false" || raw === "0"); }
      else { out[name] = raw; }
    });
    return out;
  }

  /** Format a config the way TensorFlow Playground serializes its state. */
  function formatHash(config) {
    var parts = [];
    Object.keys(KEY_TYPES).forEach(function (name) {
      if (name === "preset" || name === "autoplay") { return; }
      var v = config[name];
      if (v === undefined || v === null) { return; }
      if (Array.isArray(v)) { v = v.join(","); }
      parts.push(name + "=" + encodeURIComponent(String(v)).replace(/%2C/g, ","));
    });
    return parts.join("&");
  }

  function configForUrl(config) {
    var c = {};
    Object.keys(config).forEach(function (k) { if (k !== "autoplay" && k !== "preset") { c[k] = config[k]; } });
    return c;
  }

  function writeHash(state) {
    if (state.config && state.config.dataset === "csv") {
      // a CSV cannot live in a link: keep the rest of the state
    }
    var hash = state.hash || formatHash(state.config || {});
    lastWrittenHash = hash;
    if (location.hash.replace(/^#/, "") !== hash) {
      history.replaceState(null, "", "#" + hash);
    }
  }

  // ---------------------------------------------------------------- controls
  function fillSelect(select, values, labels) {
    var current = select.value;
    select.innerHTML = "";
    values.forEach(function (v, i) {
      var o = document.createElement("option");
      o.value = String(v); o.textContent = labels ? labels[i] : String(v);
      select.appendChild(o);
    });
    if (current) { select.value = current; }
  }
  function setSelect(select, value) {
    var s = String(value);
    var found = Array.prototype.some.call(select.options, function (o) { return o.value === s; });
    if (!found) {            // a value from a link that is not in the menu: offer it
      var o = document.createElement("option"); o.value = s; o.textContent = s; select.appendChild(o);
    }
    select.value = s;
  }

  function syncControls(c) {
    document.querySelectorAll("[data-key]").forEach(function (el) {
      var key = el.getAttribute("data-key"), v = c[key];
      if (v === undefined) { return; }
      if (el.type === "checkbox") { el.checked = !!v; }
      else if (el.tagName === "SELECT") { setSelect(el, v); }
      else { el.value = v; }
      var label = $(key + "-value");
      if (label) { label.textContent = String(v); }
    });
    $("batchSize-number").value = c.batchSize;
    if (+c.batchSize > +$("batchSize").max) { $("batchSize").max = c.batchSize; }
    $("batchSize").value = c.batchSize;
    var shape = c.networkShape || [];
    $("num-layers").textContent = shape.length;
    $("layers-label").textContent = shape.length === 1 ? "hidden layer" : "hidden layers";
    $("remove-layer").disabled = shape.length === 0;
    renderDatasetPicker(c);
    document.body.classList.toggle("hide-text", !!c.hideText);
  }

  function readControl(el) {
    var type = el.getAttribute("data-type");
    if (el.type === "checkbox") { return el.checked; }
    return type === "number" ? +el.value : el.value;
  }

  function wireControls() {
    document.querySelectorAll("[data-key]").forEach(function (el) {
      var key = el.getAttribute("data-key");
      if (el.type === "range") {
        el.addEventListener("input", function () {
          var label = $(key + "-value"); if (label) { label.textContent = el.value; }
          if (key === "batchSize") { $("batchSize-number").value = el.value; }
        });
      }
      el.addEventListener("change", function () {
        var p = {}; p[key] = readControl(el); update(p);
      });
    });
    $("batchSize-number").addEventListener("change", function () {
      var v = Math.round(+this.value);
      if (!(v >= 1)) { showError("The batch size must be a whole number of at least 1; type e.g. 10."); return; }
      update({batchSize: v});
    });
    $("play").addEventListener("click", function () {
      var running = session && session.running;
      sessionCall("POST", running ? "/pause" : "/play").then(applyState).catch(function (e) { showError(e.message); });
    });
    $("step").addEventListener("click", function () {
      sessionCall("POST", "/step", {steps: 1}).then(applyState).catch(function (e) { showError(e.message); });
    });
    $("reset").addEventListener("click", function () {
      sessionCall("POST", "/reset").then(applyState).catch(function (e) { showError(e.message); });
    });
    $("regenerate").addEventListener("click", function () { update({seed: Math.random().toFixed(5)}); });
    $("add-layer").addEventListener("click", function () {
      var shape = (session.config.networkShape || []).slice();
      shape.push(shape.length ? shape[shape.length - 1] : 2);
      update({networkShape: shape});
    });
    $("remove-layer").addEventListener("click", function () {
      var shape = (session.config.networkShape || []).slice();
      if (shape.length) { shape.pop(); update({networkShape: shape}); }
    });
    $("error-close").addEventListener("click", clearError);
    $("presets").addEventListener("change", function () {
      var name = this.value; if (!name) { return; }
      var preset = presets.filter(function (p) { return p.name === name; })[0];
      clearError();
      sessionCall("PATCH", "", {preset: name}).catch(function (err) {
        if (preset && err.status === 400) { return sessionCall("PATCH", "", preset.config); }
        throw err;
      }).then(function (state) {
        applyState(state);
        var box = $("preset-description");
        if (preset) {
          box.innerHTML = "";
          var b = document.createElement("b"); b.textContent = preset.title + ". ";
          box.appendChild(b); box.appendChild(document.createTextNode(preset.description || ""));
          if (preset.steps) {
            box.appendChild(document.createTextNode(" The claim shows after about " + preset.steps + " steps: press play."));
          }
          box.hidden = false;
        }
      }).catch(function (e) { showError(e.message); });
    });
    $("csv-file").addEventListener("change", onCsvFile);
    $("csv-apply").addEventListener("click", uploadCsv);
    document.addEventListener("keydown", function (ev) {   // space bar: play / pause, as a player
      if (ev.key === " " && ev.target === document.body) { ev.preventDefault(); $("play").click(); }
    });
    window.addEventListener("hashchange", function () {
      var h = location.hash.replace(/^#/, "");
      if (h === lastWrittenHash) { return; }
      // a new link typed or pasted: a fresh session from it (missing keys take their defaults, as
      // when the page opens); the old session is closed
      var cfg = parseHash(h);
      var autoplay = cfg.autoplay; delete cfg.autoplay;
      var old = sessionId;
      clearError();
      createSession(cfg).then(function () {
        if (old && old !== sessionId) { request("DELETE", "/api/sessions/" + old).catch(function () {}); }
        if (autoplay) { return sessionCall("POST", "/play").then(applyState); }
      }).catch(function (err) { showError(err.message); });
    });
    window.addEventListener("resize", function () {   // rebuilt only when the width changed
      if (session) { var k = structureKey; buildNetwork(session); if (k !== structureKey) { drawFrame(shownFrame); } }
    });
  }

  // ---------------------------------------------------------------- dataset picker
  // Small client-side samples of TensorFlow Playground's generators, only for the thumbnails.
  function rng(seed) {
    var s = seed >>> 0;
    return function () { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296; };
  }
  function sampleDataset(key) {
    var r = rng(7), pts = [], i, n = 200;
    if (key === "circle") {
      for (i = 0; i < n; i++) {
        var inside = i < n / 2, rad = inside ? r() * 2.5 : 3.5 + r() * 1.5, a = r() * 2 * Math.PI;
        pts.push([rad * Math.sin(a), rad * Math.cos(a), inside ? 1 : -1]);
      }
    } else if (key === "xor") {
      for (i = 0; i < n; i++) {
        var x = r() * 10 - 5, y = r() * 10 - 5; x += x > 0 ? 0.3 : -0.3; y += y > 0 ? 0.3 : -0.3;
        pts.push([x, y, x * y >= 0 ? 1 : -1]);
      }
    } else if (key === "gauss") {
      for (i = 0; i < n; i++) {
        var l = i < n / 2 ? 1 : -1, u = Math.max(r(), 1e-9), g1 = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r()),
          g2 = Math.sqrt(-2 * Math.log(u)) * Math.sin(2 * Math.PI * r());
        pts.push([2 * l + g1 * 0.8, 2 * l + g2 * 0.8, l]);
      }
    } else if (key === "spiral") {
      for (i = 0; i < n / 2; i++) {
        [0, Math.PI].forEach(function (delta, k) {
          var rr = i / (n / 2) * 5, t = 1.75 * i / (n / 2) * 2 * Math.PI + delta;
          pts.push([rr * Math.sin(t), rr * Math.cos(t), k === 0 ? 1 : -1]);
        });
      }
    } else if (key === "reg-plane") {
      for (i = 0; i < n; i++) { var px = r() * 12 - 6, py = r() * 12 - 6; pts.push([px, py, (px + py) / 12]); }
    } else if (key === "reg-gauss") {
      var centres = [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]];
      for (i = 0; i < n; i++) {
        var qx = r() * 12 - 6, qy = r() * 12 - 6, v = 0;
        centres.forEach(function (c) {
          var d = Math.sqrt((qx - c[0]) * (qx - c[0]) + (qy - c[1]) * (qy - c[1]));
          v += c[2] * Math.max(0, 1 - d / 2.5);
        });
        pts.push([qx, qy, v]);
      }
    }
    return pts;
  }
  function drawPointsOn(ctx, pts, size, radius, stroke) {
    pts.forEach(function (p) {
      var x = (p[0] + 6) / 12 * size, y = (6 - p[1]) / 12 * size;
      ctx.beginPath(); ctx.arc(x, y, radius, 0, 2 * Math.PI);
      ctx.fillStyle = cssColour(p[2]); ctx.fill();
      if (stroke) { ctx.lineWidth = stroke.width; ctx.strokeStyle = stroke.colour; ctx.stroke(); }
    });
  }
  function renderDatasetPicker(c) {
    var box = $("datasets");
    var regression = c.problem === "regression";
    var sets = regression ? REGRESSION_SETS : CLASSIFICATION_SETS;
    var selected = regression ? c.regDataset : c.dataset;
    var key = sets.map(function (s) { return s.key; }).join(",");
    if (box.getAttribute("data-sets") !== key) {
      box.innerHTML = "";
      box.setAttribute("data-sets", key);
      sets.forEach(function (s) {
        var b = document.createElement("button");
        b.type = "button"; b.className = "dataset"; b.title = s.title;
        b.setAttribute("role", "radio"); b.setAttribute("aria-label", s.title);
        b.setAttribute("data-dataset", s.key); b.setAttribute("data-testid", "dataset-" + s.key);
        var cv = document.createElement("canvas"); cv.width = 100; cv.height = 100;
        var ctx = cv.getContext("2d");
        ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, 100, 100);
        drawPointsOn(ctx, sampleDataset(s.key), 100, 2.2, null);
        b.appendChild(cv);
        b.addEventListener("click", function () {
          var p = {}; p[regression ? "regDataset" : "dataset"] = s.key; update(p);
        });
        box.appendChild(b);
      });
    }
    Array.prototype.forEach.call(box.children, function (b) {
      var on = b.getAttribute("data-dataset") === selected;
      b.classList.toggle("selected", on); b.setAttribute("aria-checked", on ? "true" : "false");
    });
  }

  // ---------------------------------------------------------------- CSV
  function onCsvFile() {
    var file = this.files && this.files[0];
    if (!file) { return; }
    clearError();
    $("csv-status").textContent = "Reading " + file.name + "…";
    file.text().then(function (text) {
      csvText = text;
      return request("POST", "/api/csv/columns", text, "text/csv");
    }).then(function (res) {
      var cols = (res && res.columns) || [];
      ["csv-x1", "csv-x2", "csv-target"].forEach(function (id) { fillSelect($(id), cols); });
      if (cols.length) {
        $("csv-x1").value = cols[0]; $("csv-x2").value = cols[Math.min(1, cols.length - 1)];
        $("csv-target").value = cols[cols.length - 1];
      }
      $("csv-columns").hidden = false;
      return uploadCsv();
    }).catch(function (err) {
      $("csv-status").textContent = "";
      showError(err.message);
    });
  }
  function uploadCsv() {
    if (csvText === null) { showError("Choose a CSV file first (a header line, then numeric rows)."); return Promise.resolve(); }
    clearError();
    var q = "?x1=" + encodeURIComponent($("csv-x1").value) + "&x2=" + encodeURIComponent($("csv-x2").value) +
      "&target=" + encodeURIComponent($("csv-target").value);
    return sessionCall("POST", "/data" + q, csvText, "text/csv").then(function (state) {
      applyState(state);
      var n = state.data ? state.data.train.length + state.data.test.length : 0;
      $("csv-status").textContent = "Training on " + n + " rows: " + $("csv-x1").value + ", " +
        $("csv-x2").value + " → " + $("csv-target").value + ".";
    }).catch(function (err) { $("csv-status").textContent = ""; showError(err.message); });
  }

  // ---------------------------------------------------------------- network diagram
  function activeFeatures(state) {
    var feats = state.data && state.data.features;
    if (feats && feats.length !== undefined) { return feats; }
    return FEATURE_KEYS.filter(function (k) { return state.config[k]; });
  }

  function buildNetwork(state) {
    var c = state.config, shape = c.networkShape || [];
    var active = activeFeatures(state);
    var shown = FEATURES.filter(function (f) { return !f.hidden || c[f.key]; });
    var key = JSON.stringify([shape, active, shown.map(function (f) { return f.key; }), c.problem,
                              $("network").clientWidth]);
    if (key === structureKey) { return; }
    structureKey = key;

    var net = $("network"), nodes = $("nodes"), svg = $("links");
    nodes.innerHTML = ""; svg.innerHTML = "";
    neuronCanvases = []; linkEls = []; biasEls = [];
    var width = net.clientWidth || 520;
    var columns = shape.length + 2;
    var left = 70, right = 40;                 // room for feature labels / output
    var colX = function (i) { return left + (width - left - right - THUMB) * i / (columns - 1); };
    var maxNodes = Math.max(shown.length, Math.min(MAX_DRAWN, Math.max.apply(null, shape.concat([1]))));
    var height = Math.max(300, maxNodes * (THUMB + NODE_GAP) + 40);
    net.style.height = height + "px";
    svg.setAttribute("width", width); svg.setAttribute("height", height);
    var centres = [];                           // [layer][j] -> {x, y}

    // layer 0: every feature (inactive ones faded; click to toggle), as TensorFlow Playground
    var inputCentres = [], activeCentres = [], inputCanvases = [];
    shown.forEach(function (f, i) {
      var y = 20 + i * (THUMB + NODE_GAP);
      var on = active.indexOf(f.key) >= 0;
      var node = document.createElement("button");
      node.type = "button"; node.className = "node input" + (on ? " active" : "");
      node.style.left = colX(0) + "px"; node.style.top = y + "px";
      node.setAttribute("aria-pressed", on ? "true" : "false");
      node.setAttribute("aria-label", "Input feature " + f.key + (on ? " (on)" : " (off)"));
      node.setAttribute("data-testid", "feature-" + f.key); node.id = "feature-" + f.key;
      node.title = "Click to " + (on ? "remove" : "add") + " this feature";
      var cv = document.createElement("canvas"); cv.width = 20; cv.height = 20;
      node.appendChild(cv);
      var label = document.createElement("span"); label.className = "node-label"; label.innerHTML = f.label;
      node.appendChild(label);
      node.addEventListener("click", function () { var p = {}; p[f.key] = !on; update(p); });
      nodes.appendChild(node);
      inputCentres.push({x: colX(0) + THUMB / 2, y: y + THUMB / 2});
      if (on) { activeCentres[active.indexOf(f.key)] = {x: colX(0) + THUMB / 2, y: y + THUMB / 2}; inputCanvases[active.indexOf(f.key)] = cv; }
      // the feature itself over the input plane, drawn here once
      var vals = [], n = 20;
      for (var r = 0; r < n; r++) {
        for (var q = 0; q < n; q++) {
          var a = -6 + 12 * (q + 0.5) / n, b = 6 - 12 * (r + 0.5) / n;
          vals.push(f.f(a, b));
        }
      }
      var m = Math.max.apply(null, vals.map(Math.abs)) || 1;
      paint(cv, vals, n, false, m);
    });
    // CSV or other named features that are not in the list: no input node, just positions
    for (var a = 0; a < active.length; a++) {
      if (!activeCentres[a]) { activeCentres[a] = {x: colX(0) + THUMB / 2, y: 20 + a * (THUMB + NODE_GAP) + THUMB / 2}; }
    }
    centres.push(activeCentres);
    neuronCanvases.push(inputCanvases);

    // hidden layers, each with + / - for its width
    shape.forEach(function (width_l, l) {
      var layer = [], canvases = [];
      var x = colX(l + 1);
      var ctl = document.createElement("div"); ctl.className = "layer-controls";
      ctl.style.left = (x - 18) + "px";
      var plus = document.createElement("button"); plus.type = "button"; plus.className = "mini-btn"; plus.textContent = "+";
      plus.setAttribute("aria-label", "Add a neuron to hidden layer " + (l + 1)); plus.id = "add-neuron-" + (l + 1);
      var minus = document.createElement("button"); minus.type = "button"; minus.className = "mini-btn"; minus.textContent = "−";
      minus.setAttribute("aria-label", "Remove a neuron from hidden layer " + (l + 1)); minus.id = "remove-neuron-" + (l + 1);
      minus.disabled = width_l <= 1;
      var count = document.createElement("div"); count.className = "neuron-count";
      count.textContent = width_l + (width_l === 1 ? " neuron" : " neurons");
      plus.addEventListener("click", function () {
        var s = session.config.networkShape.slice(); s[l] += 1; update({networkShape: s});
      });
      minus.addEventListener("click", function () {
        var s = session.config.networkShape.slice(); if (s[l] > 1) { s[l] -= 1; update({networkShape: s}); }
      });
      ctl.appendChild(plus); ctl.appendChild(minus); ctl.appendChild(count);
      $("nodes").appendChild(ctl);
      var drawn = Math.min(width_l, MAX_DRAWN);
      if (drawn < width_l) {
        var more = document.createElement("div"); more.className = "more-units";
        more.style.left = (x - 18) + "px"; more.style.top = (20 + drawn * (THUMB + NODE_GAP)) + "px";
        more.textContent = "+ " + (width_l - drawn) + " more";
        nodes.appendChild(more);
      }
      for (var j = 0; j < drawn; j++) {
        var y = 20 + j * (THUMB + NODE_GAP);
        var node = document.createElement("div"); node.className = "node hidden-node";
        node.style.left = x + "px"; node.style.top = y + "px";
        node.setAttribute("data-layer", l + 1); node.setAttribute("data-index", j);
        var cv = document.createElement("canvas"); cv.width = 20; cv.height = 20; node.appendChild(cv);
        var bias = document.createElement("div"); bias.className = "bias";
        bias.setAttribute("data-layer", l); bias.setAttribute("data-index", j);
        node.appendChild(bias);
        nodes.appendChild(node);
        layer.push({x: x + THUMB / 2, y: y + THUMB / 2}); canvases.push(cv);
      }
      centres.push(layer); neuronCanvases.push(canvases);
    });
    // output node
    var ox = colX(columns - 1), oy = 20;
    var out = document.createElement("div"); out.className = "node output-node";
    out.style.left = ox + "px"; out.style.top = oy + "px";
    var ocv = document.createElement("canvas"); ocv.width = 20; ocv.height = 20; out.appendChild(ocv);
    var obias = document.createElement("div"); obias.className = "bias";
    obias.setAttribute("data-layer", shape.length); obias.setAttribute("data-index", 0);
    out.appendChild(obias);
    var olabel = document.createElement("span"); olabel.className = "node-label out"; olabel.textContent = "output";
    out.appendChild(olabel);
    nodes.appendChild(out);
    centres.push([{x: ox + THUMB / 2, y: oy + THUMB / 2}]); neuronCanvases.push([ocv]);

    // biases by layer
    for (var bl = 0; bl <= shape.length; bl++) { biasEls.push([]); }
    nodes.querySelectorAll(".bias").forEach(function (el) {
      biasEls[+el.getAttribute("data-layer")][+el.getAttribute("data-index")] = el;
    });

    // links: one path per weight, a curve as d3's diagonal in TensorFlow Playground
    var NS = "http://www.w3.org/2000/svg";
    for (var L = 0; L + 1 < centres.length; L++) {
      var from = centres[L], to = centres[L + 1], mat = [];
      for (var i = 0; i < from.length; i++) {
        var row = [];
        for (var jj = 0; jj < to.length; jj++) {
          var p0 = from[i], p1 = to[jj], mx = (p0.x + p1.x) / 2;
          var path = document.createElementNS(NS, "path");
          path.setAttribute("d", "M" + (p0.x + THUMB / 2) + "," + p0.y + " C" + mx + "," + p0.y + " " + mx + "," + p1.y +
            " " + (p1.x - THUMB / 2) + "," + p1.y);
          path.setAttribute("class", "link");
          path.setAttribute("data-layer", L); path.setAttribute("data-from", i); path.setAttribute("data-to", jj);
          var t = document.createElementNS(NS, "title"); path.appendChild(t);
          svg.appendChild(path); row.push(path);
        }
        mat.push(row);
      }
      linkEls.push(mat);
    }
  }

  function wireHover() {
    var card = $("hovercard"), col = document.querySelector(".network-col");
    function show(ev, text) {
      card.textContent = text; card.hidden = false;
      var r = col.getBoundingClientRect();
      card.style.left = (ev.clientX - r.left + 12) + "px"; card.style.top = (ev.clientY - r.top - 28) + "px";
    }
    $("links").addEventListener("mousemove", function (ev) {
      var t = ev.target;
      if (t.classList && t.classList.contains("link")) {
        show(ev, "Weight is " + (t.getAttribute("data-value") || "?"));
        t.classList.add("hover");
      }
    });
    $("links").addEventListener("mouseout", function (ev) {
      if (ev.target.classList) { ev.target.classList.remove("hover"); }
      card.hidden = true;
    });
    $("nodes").addEventListener("mousemove", function (ev) {
      var t = ev.target;
      if (t.classList && t.classList.contains("bias")) { show(ev, "Bias is " + (t.getAttribute("data-value") || "?")); }
    });
    $("nodes").addEventListener("mouseout", function () { card.hidden = true; });
  }

  // ---------------------------------------------------------------- drawing a frame
  function fmtLoss(v) { return v === null || v === undefined ? "NaN" : (+v).toFixed(3); }
  function fmtEpoch(e) {
    var whole = Math.floor(e || 0), s = String(whole);
    while (s.length < 6) { s = "0" + s; }
    return s.slice(0, s.length - 3) + "," + s.slice(s.length - 3);
  }

  function accept(frame) {
    // A frame older than the newest one received (a response or state event that arrived late,
    // from before the frames already drawn) is not drawn: the page never goes back in time.
    // A reset or a rebuilt network starts a new build, whose step 0 is newer than any step before.
    var l = latestFrame;
    if (l && (frame.build < l.build || (frame.build === l.build && frame.step < l.step))) { return false; }
    latestFrame = frame;
    return true;
  }

  function drawFrame(frame) {
    if (!frame || !session) { return; }
    shownFrame = frame;
    var c = session.config;
    $("epoch").textContent = fmtEpoch(frame.epoch);
    $("step-counter").textContent = String(frame.step);
    var te = $("test-loss"), tr = $("train-loss");
    te.textContent = fmtLoss(frame.test_loss); te.setAttribute("data-value", frame.test_loss === null ? "NaN" : frame.test_loss);
    tr.textContent = fmtLoss(frame.train_loss); tr.setAttribute("data-value", frame.train_loss === null ? "NaN" : frame.train_loss);
    if (frame.boundary) { paint($("boundary"), frame.boundary.values, frame.boundary.n, c.discretize); }
    drawNeurons(frame);
    drawWeights(frame);
    drawChart(frame.history);
    drawDoctor(frame.doctor || []);
    var f = frame.formulas || {};
    if ($("formulas-update").textContent !== (f.update || "")) { $("formulas-update").textContent = f.update || ""; }
    if ($("formulas-backward").textContent !== (f.backward || "")) { $("formulas-backward").textContent = f.backward || ""; }
  }

  function drawNeurons(frame) {
    var layers = frame.neurons || [], n = frame.thumb_n || 20;
    // neurons[0] are the input features; when the server omits them, the diagram keeps its own
    var offset = layers.length === neuronCanvases.length ? 0 : neuronCanvases.length - layers.length;
    for (var l = 0; l < layers.length; l++) {
      var canvases = neuronCanvases[l + offset];
      if (!canvases || !layers[l]) { continue; }
      for (var j = 0; j < layers[l].length && j < canvases.length; j++) {
        var vals = layers[l][j] && layers[l][j].values;
        if (!canvases[j] || !vals) { continue; }
        var scale = 1;
        if (l + offset === 0) {           // input features are not squashed: scale to their range
          scale = 0;
          for (var k = 0; k < vals.length; k++) { var a = Math.abs(vals[k]); if (a > scale) { scale = a; } }
          scale = scale || 1;
        }
        paint(canvases[j], vals, n, l === layers.length - 1 && session.config.discretize, scale);
      }
    }
  }

  function drawWeights(frame) {
    var W = frame.weights || [], B = frame.biases || [];
    for (var L = 0; L < linkEls.length && L < W.length; L++) {
      var mat = linkEls[L], w = W[L];
      if (!w) { continue; }                        // too many weights to send: links stay grey
      for (var i = 0; i < mat.length && i < w.length; i++) {
        for (var j = 0; j < mat[i].length && j < w[i].length; j++) {
          var v = w[i][j], el = mat[i][j];
          var bad = v === null || v === undefined;
          el.setAttribute("stroke", bad ? "#000" : cssColour(v));
          el.setAttribute("stroke-width", bad ? 1 : Math.min(10, 1 + Math.abs(v) * 9 / 5).toFixed(2));
          var txt = bad ? "NaN" : String(v);
          el.setAttribute("data-value", txt);
          if (el.firstChild) { el.firstChild.textContent = "Weight is " + txt; }
        }
      }
    }
    for (var bl = 0; bl < biasEls.length && bl < B.length; bl++) {
      if (!B[bl]) { continue; }
      for (var bj = 0; bj < biasEls[bl].length && bj < B[bl].length; bj++) {
        var bv = B[bl][bj], be = biasEls[bl][bj];
        if (!be) { continue; }
        be.style.background = bv === null ? "#000" : cssColour(bv);
        be.setAttribute("data-value", bv === null ? "NaN" : String(bv));
        be.title = "Bias is " + (bv === null ? "NaN" : bv);
      }
    }
  }

  function drawChart(history) {
    var cv = $("linechart"), ctx = cv.getContext("2d"), w = cv.width, h = cv.height;
    ctx.clearRect(0, 0, w, h);
    if (!history || !history.step || history.step.length < 2) { return; }
    var all = history.train.concat(history.test).filter(function (v) { return v !== null && isFinite(v); });
    var ymax = Math.max.apply(null, all.concat([1e-9])), ymin = 0;
    var s0 = history.step[0], s1 = history.step[history.step.length - 1] || 1;
    function line(series, colourName) {
      ctx.beginPath(); ctx.strokeStyle = colourName; ctx.lineWidth = 1.5;
      var started = false;
      for (var i = 0; i < series.length; i++) {
        var v = series[i];
        if (v === null || !isFinite(v)) { started = false; continue; }
        var x = (history.step[i] - s0) / Math.max(1e-9, s1 - s0) * (w - 2) + 1;
        var y = h - 2 - (v - ymin) / (ymax - ymin) * (h - 4);
        if (started) { ctx.lineTo(x, y); } else { ctx.moveTo(x, y); started = true; }
      }
      ctx.stroke();
    }
    line(history.train, "#777");
    line(history.test, "#000");
  }

  function drawDoctor(items) {
    var ul = $("doctor"), key = JSON.stringify(items);
    if (ul.getAttribute("data-key") === key) { return; }
    ul.setAttribute("data-key", key);
    ul.innerHTML = "";
    if (!items.length) {
      var ok = document.createElement("li"); ok.className = "ok"; ok.textContent = "No warnings."; ul.appendChild(ok);
      return;
    }
    items.forEach(function (d) {
      var li = document.createElement("li"); li.className = d.level || "warning";
      li.setAttribute("data-code", d.code || "");
      var b = document.createElement("b"); b.textContent = (d.code || d.level || "warning").replace(/_/g, " ") + ": ";
      li.appendChild(b); li.appendChild(document.createTextNode(d.message || ""));
      ul.appendChild(li);
    });
  }

  function drawPoints() {
    if (!session || !session.data) { return; }
    var cv = $("points"), ctx = cv.getContext("2d"), size = cv.width;
    ctx.clearRect(0, 0, size, size);
    var scale = size / 300;
    var toPts = function (rows) { return (rows || []).map(function (r) { return [r[0], r[1], r[2]]; }); };
    drawPointsOn(ctx, toPts(session.data.train), size, 3 * scale, {colour: "#fff", width: 1 * scale});
    if (session.config.showTestData) {
      drawPointsOn(ctx, toPts(session.data.test), size, 3 * scale, {colour: "#000", width: 1 * scale});
    }
  }

  function frameLoop() {
    if (pendingFrame) {
      var f = pendingFrame; pendingFrame = null;
      drawFrame(f); stats.framesDrawn += 1;
    }
    requestAnimationFrame(frameLoop);
  }

  // ---------------------------------------------------------------- state
  function applyState(state) {
    if (!state) { return; }
    var dataChanged = !session || JSON.stringify(session.data) !== JSON.stringify(state.data) ||
      session.config.showTestData !== state.config.showTestData;
    session = state;
    if (state.id !== sessionId) {
      latestFrame = null; shownFrame = null; pendingFrame = null;
      sessionId = state.id; connectEvents(); updateExportLinks();
      document.body.setAttribute("data-session", sessionId);
    }
    syncControls(state.config);
    writeHash(state);
    var play = $("play");
    play.classList.toggle("playing", !!state.running);
    play.setAttribute("aria-pressed", state.running ? "true" : "false");
    play.setAttribute("aria-label", state.running ? "Pause" : "Play");
    buildNetwork(state);
    if (dataChanged) { drawPoints(); }
    // a state event carries no frame: the page keeps the newest one it has
    if (state.frame && accept(state.frame)) { pendingFrame = null; drawFrame(state.frame); }
    document.body.setAttribute("data-running", state.running ? "true" : "false");
  }

  function updateExportLinks() {
    $("export-script").href = "/api/sessions/" + sessionId + "/export.py";
    $("export-model").href = "/api/sessions/" + sessionId + "/model.npz";
  }

  function connectEvents() {
    if (events) { events.close(); }
    if (typeof EventSource === "undefined") { return; }
    events = new EventSource("/api/sessions/" + sessionId + "/events");
    events.addEventListener("frame", function (ev) {
      var frame;
      try { frame = JSON.parse(ev.data); } catch (e) { return; }
      if (!accept(frame)) { return; }              // from before the newest frame received
      stats.framesReceived += 1;
      pendingFrame = frame;                        // drawn on the next animation frame
    });
    events.onerror = function () {
      // the stream broke: a server restart is retried by EventSource itself; a session that
      // expired (404, the stream closed) is opened again with the same settings
      if (events.readyState !== EventSource.CLOSED) { return; }
      setTimeout(function () {
        sessionCall("GET", "").then(function (state) {
          if (state.id === sessionId && events.readyState === EventSource.CLOSED) { connectEvents(); }
          applyState(state);
        }).catch(function (err) { showError(err.message); });
      }, 1000);
    };
    events.addEventListener("state", function (ev) {
      try { applyState(JSON.parse(ev.data)); } catch (e) { /* ignore a broken message */ }
    });
  }

  function createSession(config) {
    return request("POST", "/api/sessions", config).then(function (state) { applyState(state); return state; });
  }

  // ---------------------------------------------------------------- start
  function start() {
    fillSelect($("learningRate"), LEARNING_RATES);
    fillSelect($("regularizationRate"), REG_RATES);
    var legend = $("legend"), lctx = legend.getContext("2d");
    for (var x = 0; x < legend.width; x++) {
      lctx.fillStyle = cssColour(x / (legend.width - 1) * 2 - 1); lctx.fillRect(x, 0, 1, legend.height);
    }
    wireControls();
    wireHover();
    requestAnimationFrame(frameLoop);

    var cfg = parseHash(location.hash);
    var autoplay = !!cfg.autoplay; delete cfg.autoplay;
    Promise.all([
      request("GET", "/api").catch(function () { return {}; }),
      request("GET", "/api/presets").catch(function () { return []; })
    ]).then(function (res) {
      var info = res[0] || {};
      apiOptions = info.options || {};
      ["activation", "optimizer", "schedule", "init"].forEach(function (k) {
        if (apiOptions[k]) { fillSelect($(k), apiOptions[k]); }
      });
      if (info.version) { $("version").textContent = "lucidnet " + info.version + "."; }
      presets = Array.isArray(res[1]) ? res[1] : [];
      presets.forEach(function (p) {
        var o = document.createElement("option"); o.value = p.name; o.textContent = p.title || p.name;
        if (p.description) { o.title = p.description; }
        $("presets").appendChild(o);
      });
      return createSession(cfg).catch(function (err) {
        // a link with a value the engine refuses: say so and start from the defaults
        showError(err.message);
        return createSession({});
      });
    }).then(function () {
      if (autoplay) {
        return sessionCall("POST", "/play").then(applyState);
      }
    }).catch(function (err) { showError(err.message); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
