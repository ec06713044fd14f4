// The connect page's "Test connection only" button, without reloading the
// page: the access token typed stays in its field (a reloaded page never
// carries it back). Without JavaScript the button posts the form as usual.
'use strict';
document.addEventListener('DOMContentLoaded', function () {
  var form = document.getElementById('store-form');
  var out = document.getElementById('test-result');
  if (!form || !out || !window.fetch || !window.FormData || !window.URLSearchParams) {
    return;
  }
  var button = form.querySelector('button[name="action"][value="test"]');
  if (!button) {
    return;
  }
  button.addEventListener('click', function (event) {
    event.preventDefault();
    var data = new FormData(form);
    data.set('action', 'test');
    out.hidden = false;
    out.className = 'notice';
    out.setAttribute('role', 'status');
    out.textContent = 'Testing the connection with BigCommerce…';
    button.disabled = true;
    // getAttribute: the buttons named "action" hide the form's own action property.
    fetch(form.getAttribute('action'), {
      method: 'POST',
      body: new URLSearchParams(data),
      headers: { 'Accept': 'application/json' },
      credentials: 'same-origin'
    }).then(function (resp) {
      var type = resp.headers.get('Content-Type') || '';
      if (type.indexOf('application/json') === 0) {
        return resp.json();
      }
      return resp.text().then(function (text) { return { ok: false, message: text }; });
    }).then(function (answer) {
      out.className = answer.ok ? 'notice' : 'notice error';
      // A failure is announced at once, as the page's own errors are.
      out.setAttribute('role', answer.ok ? 'status' : 'alert');
      var save = form.querySelector('button[name="action"][value="connect"]');
      var label = save ? '“' + save.textContent + '”' : 'the first button';
      out.textContent = answer.message + (answer.ok ? ' Nothing is saved until you press ' + label + '.' : ' Nothing was saved.');
    }).catch(function (err) {
      out.className = 'notice error';
      out.setAttribute('role', 'alert');
      out.textContent = 'bcqb did not answer the test: ' + err;
    }).finally(function () {
      button.disabled = false;
    });
  });
});
