/* The staff console: sign-in against the staff user pool (its own API, no hosted page), then each
   role's queues and actions. The API decides who may see and do what; every word from the catalogue. */
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var api = data.api, tabs = data.tabs, departments = data.departments, m = data.messages, auth = data.auth, eventNames = data.events;
  var ratings = data.ratings, outcomes = data.outcomes, hideReasons = data.hide_reasons || [];
  var channelNames = data.channels || {};
  function say(key, values) {
    return m[key].replace(/\{(\w+)\}/g, function (_, name) { return values && name in values ? values[name] : ""; });
  }
  var KEY = "mashang.staff", me = null, current = null, templates = null;
  // Tokens live for this tab only (sessionStorage): closing it, or signing out, forgets them.
  function session() { try { return JSON.parse(sessionStorage.getItem(KEY)) || null; } catch (e) { return null; } }
  function keep(tokens) { sessionStorage.setItem(KEY, JSON.stringify(tokens)); }
  function idp(action, body) {
    return fetch(auth.endpoint, {
      method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService." + action }
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) {
          var kind = j.__type || "", e = new Error(/NotAuthorized|UserNotFound/.test(kind) ? m.bad_password
            : /InvalidPassword/.test(kind) ? m.password_rule : m.sign_in_failed);
          e.code = kind; throw e;
        }
        return j;
      });
    });
  }
  function signedIn(result, username) {
    var old = session() || {};
    keep({ id: result.IdToken, refresh: result.RefreshToken || old.refresh, username: username || old.username });
  }
  function refresh() {
    var s = session();
    if (!s || !s.refresh) { return Promise.reject(new Error(m.sign_in_again)); }
    return idp("InitiateAuth", { AuthFlow: "REFRESH_TOKEN_AUTH", ClientId: auth.client_id, AuthParameters: { REFRESH_TOKEN: s.refresh } })
      .then(function (j) { signedIn(j.AuthenticationResult); });
  }
  function headers() { var s = session(); return s ? { Authorization: "Bearer " + s.id } : {}; }
  // Every action says which status its page showed, so a colleague's action in between is caught (409).
  function call(method, path, body, again) {
    return fetch(api + path, {
      method: method, body: body ? JSON.stringify(body) : undefined,
      // The API words its errors for a person in the page's language.
      headers: Object.assign({ "Content-Type": "application/json", "Accept-Language": document.documentElement.lang }, headers())
    }).then(function (r) {
      if (r.status === 401 && !again) {  // expired: one refresh, then ask to sign in again
        return refresh().then(function () { return call(method, path, body, true); }, function () { signOut(m.sign_in_again); throw new Error(m.sign_in_again); });
      }
      if (r.status === 401) { signOut(m.sign_in_again); throw new Error(m.sign_in_again); }
      return r.json().catch(function () { return {}; }).then(function (j) { if (!r.ok) { throw new Error(j.message || String(r.status)); } return j; });
    });
  }
  var form = document.getElementById("sign-in"), desk = document.getElementById("desk");
  function signOut(message) {
    sessionStorage.removeItem(KEY); me = null;
    desk.hidden = true; form.hidden = false;
    document.getElementById("list").textContent = "";
    var note = document.getElementById("sign-in-error");
    note.textContent = message || ""; note.hidden = !message;
    form.querySelector("[name=password]").value = "";
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var username = form.querySelector("[name=username]").value.trim(), password = form.querySelector("[name=password]").value;
    var fresh = form.querySelector("[name=new_password]"), note = document.getElementById("sign-in-error");
    note.hidden = true;
    var step = form.dataset.challenge
      ? idp("RespondToAuthChallenge", { ChallengeName: "NEW_PASSWORD_REQUIRED", ClientId: auth.client_id, Session: form.dataset.session,
                                       ChallengeResponses: { USERNAME: username, NEW_PASSWORD: fresh.value } })
      : idp("InitiateAuth", { AuthFlow: "USER_PASSWORD_AUTH", ClientId: auth.client_id, AuthParameters: { USERNAME: username, PASSWORD: password } });
    step.then(function (j) {
      if (j.ChallengeName === "NEW_PASSWORD_REQUIRED") {  // an account an admin just created
        form.dataset.challenge = "1"; form.dataset.session = j.Session;
        fresh.parentNode.hidden = false; fresh.focus();
        note.textContent = m.choose_password; note.hidden = false;
        return;
      }
      delete form.dataset.challenge; fresh.parentNode.hidden = true;
      signedIn(j.AuthenticationResult, username);
      start();
    }).catch(function (e) { note.textContent = e.message; note.hidden = false; });
  });
  document.getElementById("sign-out").addEventListener("click", function () { signOut(""); });
  function start() {
    call("GET", "/console/me").then(function (who) {
      me = who;
      form.hidden = true; desk.hidden = false;
      document.getElementById("whoami").textContent = say("whoami", { user: who.username, role: m["role_" + who.role], department: who.department_name || "" });
      drawTabs(); load();
      if (who.role === "handler") { loadTemplates(); }
    }).catch(function (e) { signOut(e.message); });
  }
  // Photos go straight to storage with a one-time upload form; the case names them by upload id.
  function uploadAll(list) {
    return Promise.all(Array.prototype.slice.call(list || []).map(function (file) {
      return window.mashangUpload(api, "/console/uploads", file, headers(), m.upload_failed, false);
    }));
  }
  // One date format everywhere, as the public pages write it: China time, "2026-11-24 09:30";
  // a deadline at midnight reads as the end of the day before ("2026-11-23 24:00").
  function parts(iso) {
    var p = {};
    new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" })
      .formatToParts(new Date(iso)).forEach(function (x) { p[x.type] = x.value; });
    return p;
  }
  function fmt(iso) {
    if (!iso) { return "—"; }
    var p = parts(iso);
    return p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute;
  }
  function fmtDue(iso) {
    if (!iso) { return "—"; }
    var p = parts(iso);
    if (p.hour === "00" && p.minute === "00" && p.second === "00") { return fmt(new Date(new Date(iso).getTime() - 86400000).toISOString()).slice(0, 10) + " 24:00"; }
    return fmt(iso);
  }
  function el(tag, text, cls) { var e = document.createElement(tag); if (text) { e.textContent = text; } if (cls) { e.className = cls; } return e; }
  function button(label, handler, secondary) { var b = el("button", label, secondary ? "secondary" : ""); b.type = "button"; b.addEventListener("click", handler); return b; }
  // An action button: says first what is missing (`ask.needs`: [control, its name]; the control
  // focused, the words through `ask.tell`), then anything else wrong (`ask.check`), then asks —
  // naming the action and the case, or `ask.question` (where the case goes) — then sends.
  function action(label, number, send, secondary, ask) {
    ask = ask || {};
    var tell = ask.tell || function (text) { window.alert(text); };
    return button(label, function () {
      var missing = (ask.needs || []).filter(function (n) { return !String(n[0].value || "").trim(); })[0];
      if (missing) {
        tell(say(missing[0].tagName === "SELECT" ? "missing_choice" : "missing_text", { field: missing[1], action: label }));
        missing[0].focus();
        return;
      }
      var wrong = ask.check ? ask.check() : "";
      if (wrong) { tell(wrong); return; }
      if (window.confirm(ask.question ? ask.question() : say("confirm", { action: label, number: number }))) { send(); }
    }, secondary);
  }
  function field(placeholder) { var t = el("textarea"); t.rows = 2; t.placeholder = placeholder; return t; }
  function select(options) { var s = el("select"); options.forEach(function (o) { var x = el("option", o[1]); x.value = o[0]; s.appendChild(x); }); return s; }
  // Departments to send a case to: the routing rule's suggestion first and selected, never `except`.
  function departmentPicker(t, label, except) {
    var codes = Object.keys(departments).filter(function (c) { return c !== except; });
    var suggested = t.suggested_department && codes.indexOf(t.suggested_department) >= 0 ? t.suggested_department : null;
    if (suggested) { codes = [suggested].concat(codes.filter(function (c) { return c !== suggested; })); }
    var s = select((suggested ? [] : [["", m.choose_department]]).concat(codes.map(function (c) { return [c, departments[c] + (c === suggested ? m.suggested : "")]; })));
    s.name = "department"; s.setAttribute("aria-label", label);
    return s;
  }
  function actionsFor(t, box, act) {
    var row = el("div", "", "actions");
    var path = "/console/tickets/" + t.number;
    function send(action, body) { return call("POST", path + "/" + action, Object.assign({ seen_status: t.status }, body || {})); }
    var lead = me.role === "handler" && t.department === me.department;  // an assisting department only notes
    function tell(text) { act(Promise.reject(new Error(text))); }  // said on the card, nothing sent
    // What an action needs before it is asked for: the inputs, and where the case goes.
    function needs(list, question) { return { needs: list, tell: tell, question: question }; }
    function moving(key, picker) {
      return needs([[picker, m.field_department]], function () { return say(key, { number: t.number, department: departments[picker.value] || picker.value }); });
    }
    if (lead && t.status === "dispatched") {
      var reason = field(m.return_reason);
      box.appendChild(reason);
      row.appendChild(action(m.accept, t.number, function () { act(send("accept")); }));
      row.appendChild(action(m.return, t.number, function () { act(send("return", { reason: reason.value })); }, true,
        needs([[reason, m.field_return_reason]])));
    }
    if (lead && t.status === "accepted") {
      var text = field(m.reply_text), outcome = select(outcomes);
      var own = (templates || {})[t.category] || [];
      if (own.length) {  // the department's templates for the category: inserted, then edited
        var pick = select([["", m.template_insert]].concat(own.map(function (x, i) { return [String(i), x.length > 40 ? x.slice(0, 39) + "…" : x]; })));
        pick.setAttribute("aria-label", m.template_insert);
        pick.addEventListener("change", function () { if (pick.value !== "") { text.value = own[Number(pick.value)]; text.focus(); } });
        box.appendChild(pick);
      }
      var ext = field(m.extension_reason), days = el("input"); days.type = "number"; days.min = 1; days.max = 30; days.value = 5;
      days.name = "days"; days.step = 1;
      box.appendChild(text); row.appendChild(outcome);
      var files = el("input"); files.type = "file"; files.multiple = true; files.accept = "image/jpeg,image/png,image/webp";
      files.setAttribute("aria-label", m.reply_photos);
      box.appendChild(el("div", m.reply_photos, "muted")); box.appendChild(files);
      row.appendChild(action(m.reply, t.number, function () {
        act(uploadAll(files.files).then(function (photos) {
          return send("reply", { text: text.value, outcome: outcome.value, photos: photos });
        }));
      }, false, needs([[text, m.reply_text]])));
      var more = el("details"), daysLabel = el("label", m.extension_days, "days");
      more.appendChild(el("summary", m.extension)); more.appendChild(ext); daysLabel.appendChild(days); more.appendChild(daysLabel);
      var asked = needs([[ext, m.extension_reason], [days, m.extension_days]], function () {
        return say("confirm_extension", { number: t.number, days: Number(days.value) });
      });
      asked.check = function () { var n = Number(days.value); return n >= 1 && n <= 30 && Math.floor(n) === n ? "" : m.bad_days; };
      var sendRow = el("div", "", "actions"); more.appendChild(sendRow);
      sendRow.appendChild(action(m.extension_send, t.number, function () { act(send("extension", { reason: ext.value, days: Number(days.value) })); }, true, asked));
      box.appendChild(more);
    }
    if (me.role === "dispatcher" && (t.status === "screened" || t.status === "returned")) {
      var target = departmentPicker(t, m.dispatch);
      row.appendChild(target);
      row.appendChild(action(m.dispatch, t.number, function () { act(send("dispatch", { department: target.value })); }, false,
        moving("confirm_dispatch", target)));
    }
    var router = me.role === "dispatcher" || me.role === "supervisor";
    if (router && (t.status === "dispatched" || t.status === "accepted")) {
      // Re-dispatch (a reopened case to another department than the one that failed it), and co-handling.
      var moves = el("details"), moveRow = el("div", "", "actions");
      moves.appendChild(el("summary", m.move));
      var elsewhere = departmentPicker(t, m.redirect, t.department);
      moveRow.appendChild(elsewhere);
      moveRow.appendChild(action(m.redirect, t.number, function () { act(send("redirect", { department: elsewhere.value })); }, true,
        moving("confirm_redirect", elsewhere)));
      var helper = departmentPicker(t, m.assist, t.department);
      moveRow.appendChild(helper);
      moveRow.appendChild(action(m.assist, t.number, function () { act(send("assist", { department: helper.value })); }, true,
        moving("confirm_assist", helper)));
      moves.appendChild(moveRow); box.appendChild(moves);
    }
    if (router && ["screened", "returned", "dispatched", "accepted", "reopened"].indexOf(t.status) >= 0) {
      var dup = el("details"), dupRow = el("div", "", "actions"), into = el("input");
      into.type = "text"; into.placeholder = m.merge_into; into.setAttribute("aria-label", m.merge_into); into.inputMode = "numeric";
      dup.appendChild(el("summary", m.merge)); dupRow.appendChild(into);
      dupRow.appendChild(action(m.merge, t.number, function () { act(send("merge", { into: into.value.trim() })); }, true,
        needs([[into, m.merge_into]])));
      dup.appendChild(dupRow); box.appendChild(dup);
    }
    if (router && (t.status === "screened" || t.status === "returned")) {
      var why = select(data.reject_reasons || []);
      why.setAttribute("aria-label", m.reject_reason);
      var refuse = el("details"), refuseRow = el("div", "", "actions");
      refuse.appendChild(el("summary", m.reject)); refuseRow.appendChild(why);
      refuseRow.appendChild(action(m.reject, t.number, function () { act(send("invalid", { reason: why.value })); }, true));
      refuse.appendChild(refuseRow); box.appendChild(refuse);
    }
    if (router && t.status === "merged") {
      row.appendChild(action(m.split, t.number, function () { act(send("split")); }, true));
    }
    if ((me.role === "dispatcher" || me.role === "supervisor") && t.waiting_for === "callback") {
      var verdict = select(ratings), note = field(m.callback_note);
      box.appendChild(note); row.appendChild(verdict);
      row.appendChild(action(m.callback, t.number, function () { act(call("POST", path + "/callback", { rating: verdict.value, comment: note.value })); }));
    }
    if (me.role === "supervisor" && t.extension_requested) {
      var remark = field(m.decision_note);
      box.appendChild(remark);
      row.appendChild(action(m.approve, t.number, function () { act(send("extension/decision", { approve: true, note: remark.value })); }));
      row.appendChild(action(m.refuse, t.number, function () { act(send("extension/decision", { approve: false, note: remark.value })); }, true));
    }
    // Internal notes: the handling department and the centre, never public.
    var memo = field(m.note_text);
    var notes = el("details"); notes.appendChild(el("summary", m.note)); notes.appendChild(memo);
    notes.appendChild(action(m.note_send, t.number, function () { act(call("POST", path + "/note", { text: memo.value })); }, true,
      needs([[memo, m.note_text]])));
    box.appendChild(row);
    box.appendChild(notes);
    var more2 = el("details"), timeline = el("div");
    more2.appendChild(el("summary", m.detail)); more2.appendChild(timeline);
    more2.addEventListener("toggle", function () { if (more2.open && !timeline.childNodes.length) { detail(t.number, timeline); } });
    box.appendChild(more2);
  }
  // The detail: the whole timeline with who and when, and the citizen's contact for those allowed.
  function detail(number, box) {
    call("GET", "/console/tickets/" + number).then(function (d) {
      if (d.contact) { box.appendChild(el("p", d.contact.phone ? say("contact", { phone: d.contact.phone }) : m.no_contact, "contact")); }
      if (d.countdown) { box.appendChild(el("p", d.countdown.overdue ? say("late_by", { n: d.countdown.working_days_late }) : say("days_left", { n: d.countdown.working_days_left }), d.countdown.overdue ? "due late" : "muted")); }
      if (d.assisting && d.assisting.length) { box.appendChild(el("p", say("assisting_list", { names: d.assisting.map(function (a) { return a.name; }).join("、") }), "muted")); }
      if (d.supporters) { box.appendChild(el("p", say("supporters", { n: d.supporters }), "muted")); }
      // A case filed by a client application (Open311), its answers to the category's questions,
      // and the point it was reported at (an unplaced case: no place of ours within reach).
      if (d.client) { box.appendChild(el("p", say("filed_by_client", { name: d.client }), "muted")); }
      Object.keys(d.answers || {}).forEach(function (code) { box.appendChild(el("p", code + "：" + d.answers[code].join("、"), "muted")); });
      if (!d.location && d.point) { box.appendChild(el("p", say("unplaced_point", { lat: d.point.lat, lon: d.point["long"] }), "muted")); }
      if (d.merged_into) { box.appendChild(el("p", say("merged_into", { number: d.merged_into }), "muted")); }
      if (d.same_place && d.same_place.length) {
        var here = el("p", m.same_place + " ", "muted");
        d.same_place.forEach(function (o) { var a = button(o.number + "（" + o.status_label + "）", function () { openCase(o.number); }, true); a.className = "link"; here.appendChild(a); });
        box.appendChild(here);
      }
      var list = el("ol", "", "timeline");
      d.events.forEach(function (e) {
        list.appendChild(el("li", fmt(e.at) + " · " + (eventNames[e.kind] || e.kind) + " · " + (departments[e.actor] || m["actor_" + e.actor] || e.actor) + (e.by ? "（" + e.by + "）" : "") + (e.note ? "：" + e.note : "")));
      });
      box.appendChild(list);
    }).catch(function (e) { box.appendChild(el("p", e.message, "error")); });
  }
  // Moderation: dispatchers and supervisors hide a citizen's words or a photo from the public, with a
  // reason (one of the usual ones, or their own words); staff go on seeing the original.
  function reasonPicker() {
    var row = el("div", "", "actions hide-reason");
    var choice = select(hideReasons.concat([["", m.hide_other]])), own = el("input");
    own.type = "text"; own.placeholder = m.hide_other; own.hidden = true; own.maxLength = 500;
    choice.setAttribute("aria-label", m.hide_reason);
    choice.addEventListener("change", function () { own.hidden = choice.value !== ""; });
    row.appendChild(el("span", m.hide_reason, "muted")); row.appendChild(choice); row.appendChild(own);
    row.reason = function () { return choice.value || own.value.trim(); };
    return row;
  }
  function hideControl(t, target, picker, act) {
    if (t.hidden && t.hidden[target]) { return el("div", say("hidden", { reason: t.hidden[target] }), "hidden-mark"); }
    if (!t.can_hide) { return null; }
    return button(m.hide, function () {
      if (!window.confirm(m.hide_confirm)) { return; }
      act(call("POST", "/console/tickets/" + t.number + "/hide", { target: target, reason: picker.reason() }));
    }, true);
  }
  function add(parent, child) { if (child) { parent.appendChild(child); } }
  // Photos: staff see every photo at once; the dispatchers and the handling department decide
  // which a citizen's photo may be published (faces, number plates, documents stay private).
  function photosFor(t, box, act, picker) {
    (t.staff_photos || []).forEach(function (p) {
      var figure = el("figure", "", "photo " + p.state);
      var link = el("a"); link.href = p.url; link.target = "_blank";
      var img = el("img"); img.src = p.small_url; img.alt = say("photo_of", { by: p.by_name });
      link.appendChild(img); figure.appendChild(link);
      figure.appendChild(el("figcaption", m["photo_" + p.state]));
      if (t.can_review_photos && p.by === "citizen") {
        var path = "/console/tickets/" + t.number + "/photos/" + p.name;
        if (p.state !== "public") { figure.appendChild(button(m.publish, function () { act(call("POST", path, { public: true })); })); }
        if (p.state !== "refused") { figure.appendChild(button(m.withhold, function () { act(call("POST", path, { public: false })); }, true)); }
      }
      add(figure, hideControl(t, "photo:" + p.name, picker, act));
      box.appendChild(figure);
    });
  }
  function render(data) {
    var list = document.getElementById("list");
    list.textContent = "";
    var stuck = data.stuck || [];
    document.getElementById("summary").textContent = say("count", { n: data.tickets.length }) + (stuck.length ? say("stuck", { n: stuck.length }) : "");
    stuck.forEach(function (s) { list.appendChild(el("p", say("failed_task", { task: s.task, id: s.ticket_id }), "card error")); });
    if (stuck.length || data.stream_failures) {
      var note = el("p", "", "error");
      list.insertBefore(button(say("redrive", { n: stuck.length + (data.stream_failures || 0) }), function () {
        call("POST", "/console/redrive", {}).then(function (r) {
          note.textContent = say("redriven", { tasks: r.tasks, records: r.stream_records }) + (r.still_failing ? say("still_failing", { n: r.still_failing }) : "");
          return load();
        }).catch(function (e) { note.textContent = e.message; });
      }), list.firstChild);
      list.insertBefore(note, list.firstChild);
    }
    var grouped = current === "watch", heading = null;  // the supervisor's watch: by department
    var shown = grouped ? data.tickets.slice().sort(function (a, b) { return (a.department_name || "").localeCompare(b.department_name || ""); }) : data.tickets;
    shown.forEach(function (t) {
      if (grouped && t.department_name !== heading) { heading = t.department_name; list.appendChild(el("h3", heading || m.unassigned, "group")); }
      var node = document.getElementById("item").content.cloneNode(true);
      var card = node.querySelector(".ticket");
      card.dataset.number = t.number;
      node.querySelector(".number").textContent = t.number;
      node.querySelector(".number").href = t.page;
      node.querySelector(".status").textContent = t.status_label;
      var flag = node.querySelector(".flag");
      if (t.overdue || t.escalation_level) { flag.hidden = false; flag.textContent = t.overdue ? m.overdue : say("escalation", { level: t.escalation_level }); }
      if (t.extension_requested) { flag.hidden = false; flag.textContent = t.extension_days ? say("extension_asked", { days: t.extension_days }) : m.extension; }
      var extra = node.querySelector(".extra");
      if (t.round > 1) { extra.appendChild(el("span", say("round", { n: t.round }), "badge")); }
      if ((t.assisting || []).some(function (a) { return a.code === me.department; })) { extra.appendChild(el("span", m.assisting_badge, "badge")); }
      var error = node.querySelector(".error");
      function reload(promise) { promise.then(load).catch(function (e) { error.textContent = e.message; error.hidden = false; }); }
      var picker = reasonPicker(), description = node.querySelector(".description");
      description.textContent = t.description;
      add(description, hideControl(t, "description", picker, reload));
      (t.events || []).filter(function (e) { return (e.kind === "added" || e.kind === "rated") && e.note && e.actor !== "system"; }).forEach(function (e) {
        var line = el("div", say(e.kind === "added" ? "added" : "rated_comment", { text: e.note }) + " · " + fmt(e.at), "muted");
        add(line, hideControl(t, "event:" + e.index, picker, reload));
        description.appendChild(line);
      });
      if (t.can_hide) { card.insertBefore(picker, node.querySelector(".photos")); }
      if (t.confidential) { node.querySelector(".status").textContent += " · " + m.confidential; }
      photosFor(t, node.querySelector(".photos"), reload, picker);
      var channel = channelNames[t.channel] || t.channel;
      node.querySelector(".meta").textContent = t.category_name + " · " + (t.location_name || m.unplaced) + (t.department_name ? " · " + t.department_name : "") + " · " + say("channel", { channel: channel }) + " · " + say("submitted", { at: fmt(t.created_at) });
      node.querySelector(".accept-due").textContent = fmtDue(t.accept_due);
      var due = node.querySelector(".due");
      due.textContent = fmtDue(t.reply_due);
      if (t.reply_due && new Date(t.reply_due) < new Date()) { due.classList.add("late"); }
      actionsFor(t, node.querySelector(".box"), function (promise) {
        promise.then(load).catch(function (e) { error.textContent = e.message; error.hidden = false; });
      });
      list.appendChild(node);
    });
  }
  function drawTabs(none) {
    var box = document.getElementById("tabs");
    box.textContent = "";
    var own = tabs[me.role] || [];
    if (!own.length) { document.getElementById("summary").textContent = m.no_queue; return; }
    if (!none && !own.some(function (t) { return t[0] === current; })) { current = own[0][0]; }
    own.forEach(function (t) {
      var b = button(t[1], function () { current = t[0]; drawTabs(); load(); }, true);
      b.setAttribute("aria-pressed", String(t[0] === current));
      b.dataset.tab = t[0];
      box.appendChild(b);
    });
  }
  var latest = 0;
  function load() {
    var tab = (tabs[me.role] || []).filter(function (t) { return t[0] === current; })[0];
    if (!tab) { return opened ? openCase(opened) : Promise.resolve(); }  // a case opened by number: again
    var mine = ++latest;  // only the newest request may draw: an older answer is another queue
    if (tab[2].charAt(0) === "#") {  // a panel another script draws (search, admin, ...)
      var list = document.getElementById("list"), panel = panels[tab[2].slice(1)], box = el("div");
      list.textContent = ""; document.getElementById("summary").textContent = "";
      // A panel draws into its own box: when another tab is opened before its answer came, the
      // box is gone from the page and the late answer draws nowhere.
      list.appendChild(box);
      return Promise.resolve(panel ? panel(box, document.getElementById("summary")) : null);
    }
    return call("GET", "/console/" + tab[2])
      .then(function (data) { if (mine === latest) { render(data); } })
      .catch(function (e) {
        if (mine !== latest) { return; }
        document.getElementById("list").textContent = "";
        document.getElementById("summary").textContent = say("load_failed", { error: e.message });
      });
  }
  // A case by its number, with every action the signed-in role has on it.
  var opened = null;  // the case opened by number, drawn again after an action on it
  function openCase(number) {
    var mine = ++latest;
    return call("GET", "/console/tickets/" + encodeURIComponent(number)).then(function (d) {
      if (mine !== latest) { return; }
      current = null; opened = d.number; drawTabs(true);
      render({ tickets: [d] });
      document.getElementById("summary").textContent = say("opened", { number: d.number });
    }).catch(function (e) { document.getElementById("summary").textContent = e.message; });
  }
  document.getElementById("open-case").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var number = this.querySelector("[name=number]").value.trim();
    if (number) { openCase(number); }
  });
  function loadTemplates() {
    return call("GET", "/console/templates").then(function (r) { templates = r.templates; });
  }
  var panels = {};
  // Supervisors: every department's rates (the public statistics' figures) and its place in the
  // league; a department's name opens its open cases (the drill-down).
  panels.rates = function (list, summary) {
    return call("GET", "/console/rates").then(function (r) {
      var link = el("a", m.statistics_link); link.href = r.statistics; link.target = "_blank";
      summary.textContent = say("rates_month", { month: r.month }) + " "; summary.appendChild(link);
      var table = el("table", "", "rates"), head = el("tr", "", "head");
      var columns = ["col_department", "col_cases", "col_response", "col_completion", "col_satisfaction", "col_on_time", "col_returns", "col_table"];
      columns.forEach(function (k) { head.appendChild(el("th", m[k])); });
      table.appendChild(head);
      function pct(x) { return x === null || x === undefined ? "—" : (x * 100).toFixed(1) + "%"; }
      // Each cell carries its column's name: on a phone a row is drawn as a card of named figures.
      function cell(text, i, cls) { var td = el("td", text, cls); td.dataset.label = m[columns[i]]; return td; }
      r.departments.forEach(function (d) {
        var row = el("tr"), name = el("td");
        name.appendChild(button(d.name, function () { drill(d.code, d.name); }, true));
        row.appendChild(name);
        row.appendChild(cell(String(d.this.cases), 1));
        ["response", "completion", "satisfaction", "on_time", "returns"].forEach(function (k, i) { row.appendChild(cell(pct(d.this[k]), i + 2)); });
        row.appendChild(cell(d.table ? m["table_" + d.table] : "—", 7, d.table ? "table-" + d.table : ""));
        table.appendChild(row);
      });
      var wrap = el("div", "", "card scroll"); wrap.appendChild(table); list.appendChild(wrap);
    });
  };
  function drill(code, name) {
    var mine = ++latest;
    return call("GET", "/console/departments/" + encodeURIComponent(code)).then(function (r) {
      if (mine !== latest) { return; }
      render(r);
      var summary = document.getElementById("summary");
      summary.textContent = say("drill", { department: name, n: r.tickets.length }) + " ";
      summary.appendChild(button(m.back, function () { load(); }, true));
    });
  }
  // Handlers: their department's reply templates per category, edited here, inserted in replies.
  panels.templates = function (list, summary) {
    return loadTemplates().then(function () {
      summary.textContent = m.templates_hint;
      (data.categories || []).forEach(function (c) {
        var card = el("section", "", "card"), text = field(m.templates_one_per_line), note = el("p", "", "muted");
        text.rows = 4; text.value = (templates[c[0]] || []).join("\n");
        card.appendChild(el("h3", c[1])); card.appendChild(text);
        var row = el("div", "", "actions");
        row.appendChild(button(m.templates_save, function () {
          var texts = text.value.split("\n").map(function (x) { return x.trim(); }).filter(Boolean);
          call("PUT", "/console/templates/" + encodeURIComponent(c[0]), { texts: texts }).then(function (r) {
            templates[c[0]] = r.texts; note.textContent = say("templates_saved", { n: r.texts.length }); note.className = "muted";
          }).catch(function (e) { note.textContent = e.message; note.className = "error"; });
        }));
        row.appendChild(note); card.appendChild(row); list.appendChild(card);
      });
    });
  };
  // What the console's other scripts use: they register panels by name (a tab whose path is
  // "#name") and call the API through the same signed-in `call`.
  window.mashangConsole = {
    panels: panels, call: call, say: say, fmt: fmt, el: el, button: button, action: action, field: field,
    select: select, messages: m, data: data, me: function () { return me; }, reload: function () { return load(); },
    open: openCase, fmtDue: fmtDue, headers: headers
  };
  document.addEventListener("DOMContentLoaded", function () { if (session()) { start(); } else { signOut(""); } });
})();
