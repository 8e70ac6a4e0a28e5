/* The admin's screens in the console: the city's catalogue (locations with their posters, routing
   rules, categories, departments, districts) and the staff accounts. Drawn as panels of console.js
   (tabs "#admin" and "#accounts"); the API checks every change and says why it refuses one. */
"use strict";
(function () {
  var c = window.mashangConsole;
  if (!c) { return; }
  var m = c.messages, el = c.el, say = c.say;
  var base = "/console/admin/";

  function labelled(text, control) { var l = el("label", "", "admin-field"); l.appendChild(el("span", text)); l.appendChild(control); return l; }
  function textInput(name, max) { var i = el("input"); i.type = "text"; i.name = name; i.maxLength = max || 80; i.autocomplete = "off"; return i; }
  function checkbox(name) { var i = el("input"); i.type = "checkbox"; i.name = name; return i; }
  function pairs(items, blank) {
    var list = items.map(function (i) { return [i.code, i.code + " · " + i.name]; });
    return blank ? [["", blank]].concat(list) : list;
  }
  // One form per kind: `fields` are [name, label, control]; `send` turns the values into the call.
  function form(fields, send, describe) {
    var box = el("form", "", "admin-form"), controls = {}, error = el("p", "", "error");
    error.hidden = true; error.setAttribute("role", "alert");
    fields.forEach(function (f) { controls[f[0]] = f[2]; box.appendChild(labelled(f[1], f[2])); });
    function values() {
      var v = {};
      Object.keys(controls).forEach(function (k) { var x = controls[k]; v[k] = x.type === "checkbox" ? x.checked : x.value.trim(); });
      return v;
    }
    function fill(item) {
      Object.keys(controls).forEach(function (k) {
        var x = controls[k], value = item[k];
        if (x.type === "checkbox") { x.checked = !!value; } else { x.value = value === undefined || value === null ? "" : value; }
      });
      box.scrollIntoView({ block: "nearest" });
    }
    var row = el("div", "", "actions");
    row.appendChild(c.button(m.admin_save, function () {
      var v = values(), what = describe(v);
      if (controls.code && !String(v.code || "").trim()) { error.textContent = m.admin_code_missing; error.hidden = false; controls.code.focus(); return; }
      // what is missing is said before the question, never after it
      if (controls.name && !String(v.name || "").trim()) {
        error.textContent = say("missing_text", { field: m.admin_name, action: m.admin_save }); error.hidden = false; controls.name.focus(); return;
      }
      if (!window.confirm(say("admin_confirm", { action: m.admin_save, what: what }))) { return; }
      error.hidden = true;
      send(v).then(function () { return done(say("admin_saved", { what: what })); })
        .catch(function (e) { error.textContent = e.message; error.hidden = false; });
    }));
    row.appendChild(c.button(m.admin_clear, function () { box.reset(); error.hidden = true; }, true));
    box.appendChild(row); box.appendChild(error);
    box.addEventListener("submit", function (ev) { ev.preventDefault(); });
    return { node: box, fill: fill };
  }
  // After a change: draw the panel again from the API, then say what was done.
  function done(text, keep) {
    return c.reload().then(function () {
      var summary = document.getElementById("summary"), note = el("p", text, "notice");
      note.setAttribute("role", "status");
      summary.textContent = ""; summary.appendChild(note);
      if (keep) { note.appendChild(keep); }
    });
  }
  function section(list, title, id) {
    var card = el("section", "", "card admin"); card.id = id;
    card.appendChild(el("h2", title)); list.appendChild(card);
    return card;
  }
  // A table of what exists; `cells` gives a row's texts (or nodes), `tools` its buttons.
  function table(card, heads, items, cells, tools) {
    var wrap = el("div", "", "admin-scroll"), t = el("table", "", "admin-table"), head = el("tr");
    heads.concat([""]).forEach(function (h) { head.appendChild(el("th", h)); });
    t.appendChild(el("thead")).appendChild(head);
    var body = el("tbody");
    items.forEach(function (item) {
      var tr = el("tr"); tr.dataset.code = item.code;
      cells(item).forEach(function (x) { var td = el("td"); if (x && x.nodeType) { td.appendChild(x); } else { td.textContent = x === undefined || x === null ? "" : String(x); } tr.appendChild(td); });
      var td = el("td", "", "admin-tools"); tools(item).forEach(function (b) { td.appendChild(b); }); tr.appendChild(td);
      body.appendChild(tr);
    });
    t.appendChild(body); wrap.appendChild(t); card.appendChild(wrap);
  }
  function nameOf(list, code) { var f = list.filter(function (i) { return i.code === code; })[0]; return f ? f.name : code; }
  function english(item) { return (item.names && item.names.en) || ""; }
  function put(kind, code, body) { return c.call("PUT", base + kind + "/" + encodeURIComponent(code), body); }
  // The poster: the API writes it beside the site and answers its links; the file is fetched from
  // the site (the console's own origin) and saved under the location's code.
  function download(code, kind) {
    return c.call("GET", base + "locations/" + encodeURIComponent(code) + "/poster").then(function (links) {
      return fetch(links[kind], { cache: "no-store" }).then(function (r) {
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.blob();
      });
    }).then(function (blob) {
      var a = el("a"), url = URL.createObjectURL(blob);
      a.href = url; a.download = "poster-" + code + "." + kind;
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    }).catch(function (e) { document.getElementById("summary").textContent = e.message; });
  }

  function locations(list, cat) {
    var card = section(list, m.admin_locations, "admin-locations");
    var district = c.select(pairs(cat.districts)), code = textInput("code", 32);
    var f = form([["code", m.admin_code, code], ["name", m.admin_name, textInput("name", 60)],
                  ["name_en", m.admin_name_en, textInput("name_en")], ["district", m.admin_district, district],
                  ["address", m.admin_address, textInput("address", 120)],
                  ["lat", m.admin_lat, textInput("lat", 12)], ["lon", m.admin_lon, textInput("lon", 12)],
                  ["hidden", m.admin_hidden, checkbox("hidden")]],
      function (v) {
        // a position in degrees, or none (both fields empty); the API refuses half of one
        function degrees(x) { return x === "" ? null : Number(x); }
        return put("locations", v.code, { name: v.name, name_en: v.name_en, district: v.district, address: v.address,
                                          lat: degrees(v.lat), lon: degrees(v.lon), hidden: v.hidden });
      },
      function (v) { return v.code + " " + v.name; });
    table(card, [m.admin_code, m.admin_name, m.admin_district, m.admin_address], cat.locations, function (l) {
      var link = el("a", m.admin_intake); link.href = l.intake; link.target = "_blank";
      var name = el("span", l.name + (l.hidden ? "（" + m.admin_hidden_mark + "）" : ""));
      var cell = el("span"); cell.appendChild(name); cell.appendChild(el("br")); cell.appendChild(link);
      return [l.code, cell, nameOf(cat.districts, l.district), l.address];
    }, function (l) {
      return [c.button(m.admin_edit, function () { f.fill(Object.assign({ name_en: english(l) }, l)); }, true),
              c.button(m.admin_poster_pdf, function () { download(l.code, "pdf"); }, true),
              c.button(m.admin_poster_png, function () { download(l.code, "png"); }, true)];
    });
    card.appendChild(f.node);
  }
  function rules(list, cat) {
    var card = section(list, m.admin_rules, "admin-rules");
    var f = form([["district", m.admin_district, c.select(pairs(cat.districts))],
                  ["category", m.admin_category, c.select(pairs(cat.categories))],
                  ["department", m.admin_department, c.select(pairs(cat.departments))]],
      function (v) { return put("rules/" + encodeURIComponent(v.district), v.category, { department: v.department }); },
      function (v) { return nameOf(cat.districts, v.district) + " × " + nameOf(cat.categories, v.category) + " → " + nameOf(cat.departments, v.department); });
    table(card, [m.admin_district, m.admin_category, m.admin_department], cat.rules, function (r) {
      return [nameOf(cat.districts, r.district), nameOf(cat.categories, r.category), nameOf(cat.departments, r.department)];
    }, function (r) {
      var what = nameOf(cat.districts, r.district) + " × " + nameOf(cat.categories, r.category);
      return [c.button(m.admin_edit, function () { f.fill(r); }, true),
              c.button(m.admin_remove, function () {
                if (!window.confirm(say("admin_confirm", { action: m.admin_remove, what: what }))) { return; }
                c.call("DELETE", base + "rules/" + encodeURIComponent(r.district) + "/" + encodeURIComponent(r.category))
                  .then(function () { return done(say("admin_removed", { what: what })); })
                  .catch(function (e) { document.getElementById("summary").textContent = e.message; });
              }, true)];
    });
    card.appendChild(f.node);
  }
  function categories(list, cat) {
    var card = section(list, m.admin_categories, "admin-categories");
    var tiers = Object.keys(cat.tiers).map(function (t) { return [t, say("admin_tier_days", { tier: t, days: cat.tiers[t] })]; });
    var f = form([["code", m.admin_code, textInput("code", 32)], ["name", m.admin_name, textInput("name", 60)],
                  ["name_en", m.admin_name_en, textInput("name_en")], ["tier", m.admin_tier, c.select(tiers)],
                  ["triage", m.admin_triage, checkbox("triage")], ["hidden", m.admin_hidden, checkbox("hidden")]],
      function (v) { return put("categories", v.code, { name: v.name, name_en: v.name_en, tier: v.tier, triage: v.triage, hidden: v.hidden }); },
      function (v) { return v.code + " " + v.name; });
    table(card, [m.admin_code, m.admin_name, m.admin_tier], cat.categories, function (x) {
      return [x.code, x.name + (x.hidden ? "（" + m.admin_hidden_mark + "）" : ""), say("admin_tier_days", { tier: x.tier, days: cat.tiers[x.tier] })];
    }, function (x) { return [c.button(m.admin_edit, function () { f.fill(Object.assign({ name_en: english(x) }, x)); }, true)]; });
    card.appendChild(f.node);
  }
  function departments(list, cat) {
    var card = section(list, m.admin_departments, "admin-departments");
    var f = form([["code", m.admin_code, textInput("code", 32)], ["name", m.admin_name, textInput("name", 60)],
                  ["name_en", m.admin_name_en, textInput("name_en")],
                  ["parent", m.admin_parent, c.select(pairs(cat.departments, m.admin_no_parent))],
                  ["phone", m.admin_phone, textInput("phone", 20)]],
      function (v) { return put("departments", v.code, { name: v.name, name_en: v.name_en, parent: v.parent, phone: v.phone }); },
      function (v) { return v.code + " " + v.name; });
    table(card, [m.admin_code, m.admin_name, m.admin_parent], cat.departments, function (d) {
      return [d.code, d.name, d.parent ? nameOf(cat.departments, d.parent) : "—"];
    }, function (d) { return [c.button(m.admin_edit, function () { f.fill(Object.assign({ name_en: english(d) }, d)); }, true)]; });
    card.appendChild(f.node);
  }
  function districts(list, cat) {
    var card = section(list, m.admin_districts, "admin-districts");
    var f = form([["code", m.admin_code, textInput("code", 32)], ["name", m.admin_name, textInput("name", 60)],
                  ["name_en", m.admin_name_en, textInput("name_en")]],
      function (v) { return put("districts", v.code, { name: v.name, name_en: v.name_en }); },
      function (v) { return v.code + " " + v.name; });
    table(card, [m.admin_code, m.admin_name, ""], cat.districts, function (d) {
      return [d.code, d.name, d.used ? say("admin_used", { n: d.used }) : ""];
    }, function (d) { return [c.button(m.admin_edit, function () { f.fill(Object.assign({ name_en: english(d) }, d)); }, true)]; });
    card.appendChild(f.node);
  }

  // Mailbox and media imports: the export's text goes to the API, which files each row once (by the
  // source's own id) and answers a report: filed now, imported before, refused with the row, field
  // and why. The report stays on screen.
  c.panels.imports = function (list) {
    var card = section(list, m.import_title, "admin-imports");
    card.appendChild(el("p", m.import_hint, "muted"));
    var file = el("input"); file.type = "file"; file.name = "file"; file.accept = ".csv,.json,text/csv,application/json";
    var text = el("textarea"); text.name = "text"; text.rows = 5; text.spellcheck = false;
    card.appendChild(labelled(m.import_file, file));
    card.appendChild(labelled(m.import_text, text));
    var error = el("p", "", "error"); error.hidden = true; error.setAttribute("role", "alert");
    var report = el("div", "", "import-report"); report.id = "import-report"; report.setAttribute("aria-live", "polite");
    var row = el("div", "", "actions"), go = c.button(m.import_submit, function () {
      error.hidden = true;
      var chosen = file.files && file.files[0];
      var read = chosen ? chosen.text() : Promise.resolve(text.value);
      read.then(function (content) {
        if (!content.trim()) { throw new Error(m.import_empty); }
        if (!window.confirm(say("import_confirm", { name: chosen ? chosen.name : m.import_pasted }))) { return null; }
        go.disabled = true; report.textContent = m.import_running;
        return c.call("POST", base + "imports", { text: content }).then(function (r) { draw(report, r); });
      }).catch(function (e) { report.textContent = ""; error.textContent = e.message; error.hidden = false; })
        .then(function () { go.disabled = false; });
    });
    row.appendChild(go); card.appendChild(row); card.appendChild(error);
    list.appendChild(report);
  };
  function draw(box, r) {
    box.textContent = "";
    var sum = el("p", say("import_summary", r.counts), "notice"); sum.setAttribute("role", "status");
    box.appendChild(sum);
    [["accepted", m.import_accepted], ["already", m.import_already], ["refused", m.import_refused]].forEach(function (part) {
      var rows = r[part[0]];
      if (!rows.length) { return; }
      var card = section(box, part[1] + "（" + rows.length + "）", "import-" + part[0]);
      var refused = part[0] === "refused";
      var heads = refused ? [m.import_col_row, m.import_col_source, m.import_col_field, m.import_col_reason]
        : [m.import_col_row, m.import_col_source, m.import_col_number];
      table(card, heads.slice(0, -1), rows.map(function (x) { return Object.assign({ code: x.source_id }, x); }), function (x) {
        return refused ? [x.row, x.source_id, x.field || ""] : [x.row, x.source_id];
      }, function (x) {
        if (refused) { return [el("span", x.reason)]; }
        var link = el("button", x.number, "link"); link.type = "button";
        link.addEventListener("click", function () { c.open(x.number); });
        return [link];
      });
      card.querySelector("thead tr").lastChild.textContent = heads[heads.length - 1];
    });
  }

  c.panels.admin = function (list) {
    return c.call("GET", base + "catalog").then(function (cat) {
      [locations, rules, categories, departments, districts].forEach(function (draw) { draw(list, cat); });
    }).catch(function (e) { document.getElementById("summary").textContent = say("load_failed", { error: e.message }); });
  };

  // Open311 client applications: a key is issued for a name and shown this once (the API keeps
  // only its digest); a revoked key files nothing more, its cases keep the client's name.
  function openKeys(list) {
    return c.call("GET", base + "open311-keys").then(function (answer) {
      var card = section(list, m.admin_open311, "admin-open311");
      card.appendChild(el("p", m.admin_open311_hint, "muted"));
      var name = textInput("client", 60), error = el("p", "", "error");
      error.hidden = true; error.setAttribute("role", "alert");
      card.appendChild(labelled(m.admin_open311_client, name));
      var row = el("div", "", "actions");
      row.appendChild(c.button(m.admin_open311_issue, function () {
        var what = name.value.trim();
        if (!what) { error.textContent = m.admin_open311_client; error.hidden = false; name.focus(); return; }
        if (!window.confirm(say("admin_confirm", { action: m.admin_open311_issue, what: what }))) { return; }
        error.hidden = true;
        c.call("POST", base + "open311-keys", { name: what })
          .then(function (r) { return done(say("admin_open311_issued", { name: r.key.name, key: r.api_key })); })
          .catch(function (e) { error.textContent = e.message; error.hidden = false; });
      }));
      card.appendChild(row); card.appendChild(error);
      table(card, [m.admin_open311_id, m.admin_open311_client, m.admin_open311_state], answer.keys.map(function (k) {
        return Object.assign({ code: k.id }, k);
      }), function (k) {
        return [k.id, k.name, k.active ? m.admin_open311_active : say("admin_open311_revoked", { at: k.revoked_at.slice(0, 16).replace("T", " ") })];
      }, function (k) {
        return k.active ? [c.button(m.admin_open311_revoke, function () {
          if (!window.confirm(say("admin_confirm", { action: m.admin_open311_revoke, what: k.name + " · " + k.id }))) { return; }
          c.call("DELETE", base + "open311-keys/" + encodeURIComponent(k.id))
            .then(function () { return done(say("admin_open311_revoke_done", { what: k.name + " · " + k.id })); })
            .catch(function (e) { error.textContent = e.message; error.hidden = false; });
        }, true)] : [];
      });
    });
  }

  c.panels.accounts = function (list) {
    return Promise.all([c.call("GET", base + "accounts"), c.call("GET", base + "catalog")]).then(function (answers) {
      var accounts = answers[0].accounts, cat = answers[1];
      var roles = cat.roles.map(function (r) { return [r, m["role_" + r] || r]; });
      var card = section(list, m.admin_new_account, "admin-new-account");
      var username = textInput("username", 32), name = textInput("name", 60), role = c.select(roles), department = c.select(pairs(cat.departments));
      username.autocapitalize = "off"; username.spellcheck = false;
      var error = el("p", "", "error"); error.hidden = true; error.setAttribute("role", "alert");
      [[m.admin_username, username], [m.admin_person, name], [m.admin_role, role], [m.admin_staff_department, department]]
        .forEach(function (f) { card.appendChild(labelled(f[0], f[1])); });
      var row = el("div", "", "actions");
      row.appendChild(c.button(m.admin_create, function () {
        var what = username.value.trim() + " " + name.value.trim();
        var missing = [[username, m.admin_username], [name, m.admin_person]].filter(function (x) { return !x[0].value.trim(); })[0];
        if (missing) {  // said before the question, never after it
          error.textContent = say("missing_text", { field: missing[1], action: m.admin_create }); error.hidden = false; missing[0].focus(); return;
        }
        if (!window.confirm(say("admin_confirm", { action: m.admin_create, what: what }))) { return; }
        error.hidden = true;
        c.call("POST", base + "accounts", { username: username.value, name: name.value, role: role.value, department: department.value })
          .then(function (r) { return done(say("admin_created", { username: r.account.username, password: r.temporary_password })); })
          .catch(function (e) { error.textContent = e.message; error.hidden = false; });
      }));
      card.appendChild(row); card.appendChild(error);

      var all = section(list, m.admin_accounts, "admin-accounts");
      accounts.forEach(function (a) {
        var line = el("div", "", "admin-account" + (a.enabled ? "" : " off")); line.dataset.username = a.username;
        line.appendChild(el("strong", a.username));
        line.appendChild(el("span", a.name + (a.enabled ? "" : "（" + m.admin_disabled + "）"), "muted"));
        var r = c.select(roles), d = c.select(pairs(cat.departments)), on = checkbox("enabled"), note = el("p", "", "error");
        r.value = a.role; d.value = a.department; on.checked = a.enabled; note.hidden = true;
        r.setAttribute("aria-label", m.admin_role); d.setAttribute("aria-label", m.admin_staff_department);
        var tools = el("div", "", "actions");
        tools.appendChild(r); tools.appendChild(d); tools.appendChild(labelled(m.admin_enabled, on));
        tools.appendChild(c.button(m.admin_save, function () {
          if (!window.confirm(say("admin_confirm", { action: m.admin_save, what: a.username }))) { return; }
          c.call("PUT", base + "accounts/" + encodeURIComponent(a.username), { role: r.value, department: d.value, enabled: on.checked })
            .then(function () { return done(say("admin_saved", { what: a.username })); })
            .catch(function (e) { note.textContent = e.message; note.hidden = false; });
        }));
        line.appendChild(tools); line.appendChild(note);
        all.appendChild(line);
      });
      return openKeys(list);
    }).catch(function (e) { document.getElementById("summary").textContent = say("load_failed", { error: e.message }); });
  };
})();
