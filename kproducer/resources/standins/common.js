/*
 * kproducer sandbox: helpers the stand-in player and CnC widget share. The sandbox serves
 * this file in front of each stand-in script, so each stays a single request.
 */
window.kpStandinKit = window.kpStandinKit || (function () {
  'use strict';
  return {
    injectStyle: function (id, css) {
      if (document.getElementById(id)) { return; }
      var style = document.createElement('style');
      style.id = id;
      style.textContent = css;
      (document.head || document.documentElement).appendChild(style);
    },
    node: function (tag, className, text) {
      var el = document.createElement(tag);
      if (className) { el.className = className; }
      if (text !== undefined) { el.textContent = text; }
      return el;
    },
    // Why a stand-in could not ask the sandbox about a token. The sandbox answers its own
    // pages only (sandbox/local_only.py), so a page opened from a file cannot ask.
    unreachable: function (origin, error) {
      if (location.origin !== origin) {
        var where = location.protocol === 'file:' ? 'a file' : location.origin;
        return 'this page was opened from ' + where + ', and the kproducer sandbox checks ' +
          'tokens only for pages it serves itself, so that no other web page can query it; ' +
          'use kproducer\'s Preview, or a real Kaltura account';
      }
      return 'the sandbox at ' + origin + ' cannot be reached: ' + error;
    },
    remaining: function (seconds) {
      if (seconds <= 0) { return 'ended'; }
      var days = Math.floor(seconds / 86400);
      var hours = Math.floor((seconds % 86400) / 3600);
      var minutes = Math.floor((seconds % 3600) / 60);
      if (days) { return 'in ' + days + ' d ' + hours + ' h'; }
      if (hours) { return 'in ' + hours + ' h ' + minutes + ' min'; }
      return 'in ' + minutes + ' min';
    }
  };
})();
