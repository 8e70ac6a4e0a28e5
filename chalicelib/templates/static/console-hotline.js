/* The hotline operator's screen, a panel of console.js (tab "#hotline"): a phoned-in case
   taken down with the keyboard alone — the caller's phone, the place found by its name, address or
   code, category, kind, the caller's words — and filed through POST /console/calls (channel
   hotline; the caller gets the SMS receipt). Enter moves to the next field (Shift+Enter: a new line
   in the text), the arrow keys move in the place list, Ctrl+Enter files, Alt+N starts the next
   call. The number shows large, to be read out. */
"use strict";
(function () {
  var c = window.mashangConsole;
  if (!c) { return; }
  var m = c.messages, el = c.el, say = c.say, data = c.data;
  var SHOWN = 8;  // places listed at once
  var places = (data.locations || []).map(function (p) {
    return { code: p[0], name: p[1], district: p[2], address: p[3] || "",
             text: [p[0], p[1], p[2], p[3] || ""].join(" ").toLowerCase() };
  });
  function label(p) { return p.district + " · " + p.name + "（" + p.code + "）"; }
  // Every typed word must appear (name, district, address or code); a place whose code or name
  // starts with the query comes first.
  function matches(query) {
    var q = query.trim().toLowerCase(), words = q.split(/\s+/).filter(Boolean);
    if (!words.length) { return places.slice(0, SHOWN); }
    var found = places.filter(function (p) { return words.every(function (w) { return p.text.indexOf(w) >= 0; }); });
    function rank(p) { return p.code === q ? 0 : p.name.toLowerCase().indexOf(q) === 0 || p.code.indexOf(q) === 0 ? 1 : 2; }
    return found.sort(function (a, b) { return rank(a) - rank(b); }).slice(0, SHOWN);
  }
  function key() {  // one per call: sending the same call again answers the same number
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "hotline:" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function masked(phone) { return phone.length === 11 ? phone.slice(0, 3) + "****" + phone.slice(7) : phone; }
  function labelled(text, control, note) {
    var l = el("label", "", "hotline-field");
    l.appendChild(el("span", text)); l.appendChild(control);
    if (note) { l.appendChild(el("small", note, "muted")); }
    return l;
  }
  var screen = null;  // the drawn screen, while its tab is open

  c.panels.hotline = function (list, summary) {
    summary.textContent = m.hotline_hint;
    var form = el("form", "", "card hotline"), box = el("fieldset");
    form.id = "hotline-form"; form.autocomplete = "off"; form.noValidate = true;
    form.appendChild(el("h2", m.hotline_title));
    var phone = el("input"); phone.name = "phone"; phone.type = "tel"; phone.inputMode = "tel"; phone.maxLength = 20;
    var place = el("input"), options = el("ul", "", "hotline-places"), chosenNote = el("p", "", "hotline-chosen");
    place.name = "place"; place.type = "text"; place.setAttribute("role", "combobox");
    place.setAttribute("aria-autocomplete", "list"); place.setAttribute("aria-controls", "hotline-places");
    place.setAttribute("aria-expanded", "false");
    options.id = "hotline-places"; options.setAttribute("role", "listbox"); options.setAttribute("aria-label", m.hotline_place);
    chosenNote.setAttribute("aria-live", "polite");
    var address = el("input"); address.name = "address"; address.type = "text"; address.maxLength = 200;
    var fallback = labelled(m.hotline_address, address, m.hotline_address_note);
    fallback.hidden = true;
    var category = c.select([["", "—"]].concat(data.categories || [])); category.name = "category";
    var kind = c.select(data.kinds || []); kind.name = "kind";
    var text = el("textarea"); text.name = "description"; text.rows = 4; text.maxLength = 2000;
    var secret = el("input"); secret.type = "checkbox"; secret.name = "confidential";
    var secretLabel = el("label", "", "hotline-check"); secretLabel.appendChild(secret); secretLabel.appendChild(el("span", m.hotline_confidential));
    var submit = el("button", m.hotline_submit); submit.type = "submit";
    var error = el("p", "", "error"); error.hidden = true; error.setAttribute("role", "alert");
    box.appendChild(labelled(m.hotline_phone, phone, m.hotline_phone_note));
    var placeField = labelled(m.hotline_place, place); placeField.appendChild(options); placeField.appendChild(chosenNote);
    box.appendChild(placeField); box.appendChild(fallback);
    var pair = el("div", "", "hotline-pair");
    pair.appendChild(labelled(m.hotline_category, category)); pair.appendChild(labelled(m.hotline_kind, kind));
    box.appendChild(pair);
    box.appendChild(labelled(m.hotline_description, text));
    box.appendChild(secretLabel);
    var row = el("div", "", "actions"); row.appendChild(submit); box.appendChild(row);
    form.appendChild(box); form.appendChild(error);

    var result = el("section", "", "card hotline-result"); result.hidden = true; result.setAttribute("role", "status");
    list.appendChild(result); list.appendChild(form);  // the number above the form, in sight

    var state = { chosen: null, shown: [], active: -1, key: key(), sending: false };
    function showList() {
      state.shown = matches(place.value);
      state.active = state.shown.length ? 0 : -1;
      drawList();
      fallback.hidden = !(place.value.trim() && !state.shown.length) && !address.value;
    }
    function drawList() {
      options.textContent = "";
      state.shown.forEach(function (p, i) {
        var o = el("li", label(p) + (p.address ? " · " + p.address : ""));
        o.id = "hotline-place-" + i; o.setAttribute("role", "option");
        o.setAttribute("aria-selected", String(i === state.active));
        o.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(p); next(place); });
        options.appendChild(o);
      });
      if (!state.shown.length && place.value.trim()) { options.appendChild(el("li", m.hotline_place_none, "muted")); }
      var open = document.activeElement === place && !state.chosen;
      options.hidden = !open;
      place.setAttribute("aria-expanded", String(open && state.shown.length > 0));
      if (state.active >= 0) { place.setAttribute("aria-activedescendant", "hotline-place-" + state.active); } else { place.removeAttribute("aria-activedescendant"); }
    }
    function choose(p) {
      state.chosen = p; place.value = p.name;
      chosenNote.textContent = say("hotline_place_chosen", { place: label(p) });
      options.hidden = true; place.setAttribute("aria-expanded", "false");
    }
    place.addEventListener("input", function () { state.chosen = null; chosenNote.textContent = ""; showList(); });
    place.addEventListener("focus", function () { if (!state.chosen) { showList(); } });
    place.addEventListener("blur", function () { options.hidden = true; place.setAttribute("aria-expanded", "false"); });
    place.addEventListener("keydown", function (ev) {
      if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") { return; }
      ev.preventDefault();
      if (state.chosen || options.hidden) { state.chosen = null; chosenNote.textContent = ""; showList(); return; }
      if (!state.shown.length) { return; }
      state.active = (state.active + (ev.key === "ArrowDown" ? 1 : state.shown.length - 1)) % state.shown.length;
      drawList();
    });
    // The fields in the order a call goes; Enter moves along it.
    function order() {
      return [phone, place].concat(fallback.hidden ? [] : [address]).concat([category, kind, text, secret, submit]);
    }
    function next(from) {
      var fields = order(), i = fields.indexOf(from);
      if (i >= 0 && i < fields.length - 1) { fields[i + 1].focus(); }
    }
    form.addEventListener("keydown", function (ev) {
      if (ev.key !== "Enter" || ev.isComposing) { return; }  // Enter that ends an IME composition stays there
      if (ev.ctrlKey || ev.metaKey) { ev.preventDefault(); send(); return; }
      var target = ev.target;
      if (target === submit || (target === text && ev.shiftKey)) { return; }
      ev.preventDefault();
      if (target === place && !state.chosen) {
        // Only a typed query picks a place (a stray Enter on the empty field picks none); with no
        // place that fits, Enter goes on to the address as the caller said it.
        if (place.value.trim() && state.active >= 0) { choose(state.shown[state.active]); } else if (fallback.hidden) { return; }
      }
      next(target);
    });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); send(); });

    function fail(message, field) { error.textContent = message; error.hidden = false; if (field) { field.focus(); } }
    function send() {
      if (state.sending || box.disabled) { return; }
      error.hidden = true;
      if (!state.chosen && !address.value.trim()) { return fail(m.hotline_place_missing, place); }
      state.sending = true; submit.textContent = m.hotline_filing;
      var body = { phone: phone.value.trim(), location: state.chosen ? state.chosen.code : "", address: address.value.trim(),
                   category: category.value, kind: kind.value, description: text.value, confidential: secret.checked,
                   idempotency_key: state.key };
      c.call("POST", "/console/calls", body).then(function (filed) {
        box.disabled = true;
        show(filed, body.phone.replace(/[\s-]/g, "").replace(/^\+86/, ""));
      }).catch(function (e) { fail(e.message); }).then(function () {
        state.sending = false; submit.textContent = m.hotline_submit;
      });
    }
    function show(filed, number) {
      result.textContent = "";
      result.appendChild(el("p", m.hotline_filed, "muted"));
      var big = el("p", filed.number, "hotline-number"); big.id = "hotline-number";
      result.appendChild(big);
      result.appendChild(el("p", filed.sms ? say("hotline_sms", { phone: masked(number) }) + " " + m.hotline_read_out : m.hotline_no_sms));
      var links = el("div", "", "actions");
      var page = el("a", m.hotline_page); page.href = filed.page; page.target = "_blank";
      links.appendChild(c.button(m.hotline_next, start));
      links.appendChild(c.button(m.hotline_open, function () { c.open(filed.number); }, true));
      links.appendChild(page);
      result.appendChild(links);
      result.hidden = false;
      result.scrollIntoView({ block: "nearest" });
      links.firstChild.focus();
    }
    function start() {  // the next call: an empty form, a new key, the phone field first
      form.reset(); box.disabled = false; result.hidden = true; error.hidden = true;
      state.chosen = null; state.key = key(); chosenNote.textContent = ""; fallback.hidden = true;
      options.hidden = true;
      phone.focus();
    }
    screen = { start: start, form: form };
    options.hidden = true;
    phone.focus();
  };
  // Alt+N: the next call, from anywhere on the screen.
  document.addEventListener("keydown", function (ev) {
    if (ev.altKey && !ev.ctrlKey && (ev.key === "n" || ev.key === "N" || ev.code === "KeyN") && screen && document.body.contains(screen.form)) {
      ev.preventDefault(); screen.start();
    }
  });
})();
