/*
 * kproducer sandbox: a stand-in for the Kaltura Chat and Collaboration (CnC) widget (served
 * at /p/{pid}/embedPlaykitJs/uiconf_id/{cncUiconf}). It is not Kaltura's widget: it
 * implements KalturaEventsPlatform.collaboration.widgets.embedded.new() with
 * addOnLoadFinished/addOnOpen/addOnClose, renderCncContainer(el, config), renderCnc,
 * renderSidebarButtons, renderReactions, renderLiveReactions and renderSidebarSettings. The
 * sandbox verifies config.server.jwtToken as the chat service does (signature with the CnC
 * app token, expiry, contextId == the entry the page's player plays) and the widget shows
 * the user, the entry, the role (attendee or moderator) and the expiry, or
 * "rejected: <reason>". State for tests: window.kpStandin.cnc.
 */
(function () {
  'use strict';
  var script = document.currentScript;
  var source = new URL(script.src, document.baseURI);
  var origin = source.origin;
  var partnerMatch = /^\/p\/(\d+)\//.exec(source.pathname);
  var partnerId = partnerMatch ? Number(partnerMatch[1]) : 0;
  var standin = window.kpStandin = window.kpStandin || {};

  var CSS = [
    '.kpc{font:14px/1.45 system-ui,"DejaVu Sans",sans-serif;color:#e8eaed;background:#18212b;',
    'border-radius:6px;padding:12px 14px;box-sizing:border-box}',
    '.kpc h3{margin:0 0 6px;font-size:15px}',
    '.kpc-tag{font-size:11px;letter-spacing:.04em;text-transform:uppercase;color:#9aa7b3}',
    '.kpc-badge{display:inline-block;font-weight:700;font-size:12px;letter-spacing:.05em;',
    'text-transform:uppercase;padding:3px 10px;border-radius:12px;margin:6px 0}',
    '.kpc-badge[data-role=moderator]{background:#f2b233;color:#221800}',
    '.kpc-badge[data-role=attendee]{background:#3a86c8;color:#fff}',
    '.kpc-facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 12px;margin:6px 0}',
    '.kpc-facts dt{color:#9aa7b3}.kpc-facts dd{margin:0;word-break:break-word}',
    '.kpc-rejected{background:#4a1c1c;color:#ffd2d2;border:1px solid #a33;border-radius:6px;',
    'padding:10px 12px;font-weight:600}',
    '.kpc-tools{margin:8px 0 0;padding-left:18px}.kpc-note{color:#ffcf70}',
    '.kpc-chat{min-height:160px;display:flex;flex-direction:column;gap:6px}',
    '.kpc-msg{background:#222d38;border-radius:6px;padding:6px 8px}',
    '.kpc-input{margin-top:auto;border:1px solid #334355;border-radius:6px;padding:6px 8px;',
    'color:#7d8b98}',
    '.kpc-buttons{display:flex;gap:6px;flex-wrap:wrap}',
    '.kpc-button{background:#25313d;border-radius:14px;padding:4px 12px;font-size:12px}'
  ].join('');

  var kit = window.kpStandinKit;
  var node = kit.node;
  var remaining = kit.remaining;

  function injectStyle() {
    kit.injectStyle('kpc-style', CSS);
  }

  function pageEntry() {
    // The entry the page's player plays: the chat belongs to that session.
    if (!window.KalturaPlayer || !window.KalturaPlayer.getPlayers) { return ''; }
    var players = window.KalturaPlayer.getPlayers();
    var ids = Object.keys(players).map(function (key) { return players[key].entryId; });
    return ids.filter(Boolean)[0] || '';
  }

  function Embedded() {
    this.loadFinished = [];
    this.opened = [];
    this.closed = [];
    this.result = null;
  }

  Embedded.prototype.addOnLoadFinished = function (cb) { this.loadFinished.push(cb); };
  Embedded.prototype.addOnOpen = function (cb) { this.opened.push(cb); };
  Embedded.prototype.addOnClose = function (cb) { this.closed.push(cb); };

  Embedded.prototype.renderCncContainer = function (container, config) {
    var self = this;
    var server = (config && config.server) || {};
    var card = node('div', 'kpc');
    card.setAttribute('data-state', 'verifying');
    card.appendChild(node('div', 'kpc-tag', 'Stand-in chat & collaboration · kproducer sandbox'));
    card.appendChild(node('p', '', 'Checking the chat token (JWT)…'));
    container.textContent = '';
    container.appendChild(card);
    var expected = pageEntry();
    standin.cnc = { state: 'verifying', serviceUrl: server.serviceUrl || '' };
    return fetch(origin + '/_standin/verify/jwt', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jwt: server.jwtToken || '', partnerId: partnerId, entryId: expected })
    }).then(function (response) {
      return response.json();
    }).then(function (result) {
      standin.cnc = Object.assign(
        { state: result.ok ? 'ready' : 'rejected', serviceUrl: server.serviceUrl || '' }, result);
      card.textContent = '';
      card.setAttribute('data-state', standin.cnc.state);
      card.appendChild(node('div', 'kpc-tag', 'Stand-in chat & collaboration · kproducer sandbox'));
      if (!result.ok) {
        card.appendChild(node('h3', '', 'Chat is unavailable'));
        card.appendChild(node('div', 'kpc-rejected', 'rejected: ' + result.reason));
        return;
      }
      self.result = result;
      self.renderIdentity(card, result);
      self.loadFinished.forEach(function (cb) { cb(); });
      self.opened.forEach(function (cb) { cb(); });
    }, function (error) {
      standin.cnc = { state: 'rejected', reason: kit.unreachable(origin, error) };
      card.textContent = '';
      card.appendChild(node('div', 'kpc-rejected', 'rejected: ' + standin.cnc.reason));
    });
  };

  Embedded.prototype.renderIdentity = function (card, result) {
    var moderator = result.role === 'moderator';
    card.appendChild(node('h3', '', result.entryName));
    var badge = node('span', 'kpc-badge', moderator ? 'Moderator' : 'Attendee');
    badge.setAttribute('data-role', result.role);
    card.appendChild(badge);
    var facts = node('dl', 'kpc-facts');
    function fact(label, value) {
      facts.appendChild(node('dt', '', label));
      facts.appendChild(node('dd', '', value));
    }
    fact('User', (result.userName ? result.userName + ' ' : '') + '(' + result.uid + ')');
    fact('Entry', result.entryId);
    if (result.virtualEventId !== null && result.virtualEventId !== undefined) {
      fact('Event', String(result.virtualEventId));
    }
    fact('Groups', result.groups.length ? result.groups.join(', ') : 'none');
    fact('JWT expires', result.expiryText + ' (' + remaining(result.exp - result.now) + ')');
    card.appendChild(facts);
    if (moderator) {
      card.appendChild(node('div', '', 'Moderator tools:'));
      var tools = node('ul', 'kpc-tools');
      ['Moderate the chat', 'Answer and publish Q&A', 'Pin messages and announcements']
        .forEach(function (tool) { tools.appendChild(node('li', '', tool)); });
      card.appendChild(tools);
      if (result.groupMember === false) {
        card.appendChild(node('p', 'kpc-note',
          'Note: this user is not in the ' + result.entryId + '_moderators group on the ' +
          'account; the JWT\'s groups claim alone makes them a moderator here.'));
      }
    } else {
      card.appendChild(node('p', '', 'Chat and Q&A as an attendee — no moderator tools.'));
    }
  };

  Embedded.prototype.renderCnc = function (el) {
    if (!this.result) { return; }
    var chat = node('div', 'kpc kpc-chat');
    chat.appendChild(node('div', 'kpc-tag', 'Chat'));
    chat.appendChild(node('div', 'kpc-msg', 'Welcome to ' + this.result.entryName + '!'));
    chat.appendChild(node('div', 'kpc-input', 'Write a message…'));
    el.textContent = '';
    el.appendChild(chat);
  };

  Embedded.prototype.renderSidebarButtons = function (el) {
    if (!this.result) { return; }
    var row = node('div', 'kpc-buttons');
    var names = ['Chat', 'Q&A', 'People'];
    if (this.result.role === 'moderator') { names.push('Moderation'); }
    names.forEach(function (name) { row.appendChild(node('span', 'kpc-button', name)); });
    el.textContent = '';
    el.appendChild(row);
  };

  function stub(label) {
    return function (el) {
      if (this.result && el) { el.appendChild(node('div', 'kpc-tag', label)); }
    };
  }
  Embedded.prototype.renderReactions = stub('Reactions (stand-in)');
  Embedded.prototype.renderLiveReactions = stub('Live reactions (stand-in)');
  Embedded.prototype.renderSidebarSettings = stub('Settings (stand-in)');

  injectStyle();
  window.KalturaEventsPlatform = {
    collaboration: {
      widgets: {
        embedded: { new: function () { return new Embedded(); } }
      }
    }
  };
})();
