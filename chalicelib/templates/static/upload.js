/* One photo straight to storage: ask the API for a one-time upload form, post the file with it,
   answer the upload's id. Shared by the intake page, the tracking box and the console. */
"use strict";
window.mashangUpload = function (formUrl, file, headers, failed) {
  return fetch(formUrl, {
    method: "POST", headers: Object.assign({ "Content-Type": "application/json" }, headers || {}),
    body: JSON.stringify({ content_type: file.type, size: file.size })
  }).then(function (r) { return r.json().then(function (j) { if (!r.ok) { throw new Error(j.message); } return j; }); })
    .then(function (form) {
      var body = new FormData();
      Object.keys(form.fields).forEach(function (k) { body.append(k, form.fields[k]); });
      body.append("file", file);
      return fetch(form.url, { method: "POST", body: body }).then(function (r) {
        if (!r.ok) { throw new Error(failed); }
        return form.upload;
      });
    });
};
