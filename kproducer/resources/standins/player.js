/*
 * kproducer sandbox: a stand-in for Kaltura Player v7 (served at /p/{pid}/embedPlaykitJs/
 * uiconf_id/{playerUiconf}). It is not Kaltura's player and plays no video: it implements
 * KalturaPlayer.setup({targetId, provider: {partnerId, uiConfId, ks}}).loadMedia({entryId}),
 * has the sandbox verify the KS the way the API does, and shows who watches what until
 * when, or "rejected: <reason>". A live entry shows "live" or "offline" as the sandbox's
 * encoder state says (POST /_sandbox/live), asked again every few seconds as the real player
 * polls liveStream.isLive. State for tests: window.kpStandin.player (live: true, false, or
 * null for an entry that is not live).
 */
(function () {
  'use strict';
  var script = document.currentScript;
  var origin = new URL(script.src, document.baseURI).origin;
  var standin = window.kpStandin = window.kpStandin || {};
  var players = {};
  var LIVE_POLL_MS = 3000;

  var CSS = [
    '.kps-player{position:relative;width:100%;height:100%;min-height:220px;box-sizing:border-box;',
    'background:linear-gradient(135deg,#1b2733,#0b0f14);color:#e8eaed;border-radius:6px;',
    'font:14px/1.45 system-ui,"DejaVu Sans",sans-serif;padding:18px 22px;overflow:auto}',
    '.kps-player h2{margin:0 0 4px;font-size:20px}',
    '.kps-play{font-size:34px;opacity:.8;margin-right:8px;vertical-align:-4px}',
    '.kps-tag{display:inline-block;font-size:11px;letter-spacing:.04em;text-transform:uppercase;',
    'padding:2px 8px;border-radius:10px;background:#2d3b48;color:#b9c7d4;margin-bottom:10px}',
    '.kps-facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:12px 0 0}',
    '.kps-facts dt{color:#9aa7b3}.kps-facts dd{margin:0;word-break:break-word}',
    '.kps-rejected{background:#4a1c1c;color:#ffd2d2;border:1px solid #a33;border-radius:6px;',
    'padding:10px 12px;font-weight:600;margin-top:10px}',
    '.kps-warn{color:#ffcf70}',
    '.kps-live{display:inline-block;font-weight:700;padding:1px 8px;border-radius:4px}',
    '.kps-live[data-live=true]{background:#c62828;color:#fff}',
    '.kps-live[data-live=false]{background:#455a64;color:#cfd8dc}'
  ].join('');

  var kit = window.kpStandinKit;
  var node = kit.node;
  var remaining = kit.remaining;

  function injectStyle() {
    kit.injectStyle('kps-player-style', CSS);
  }

  function Player(config) {
    this.config = config || {};
    this.provider = this.config.provider || {};
    this.targetId = this.config.targetId;
    this.entryId = '';
    this.el = document.getElementById(this.targetId);
    if (!this.el) {
      throw new Error('KalturaPlayer.setup: there is no element with id "' + this.targetId + '"');
    }
    this.view = node('div', 'kps-player');
    this.view.setAttribute('data-state', 'idle');
    this.el.appendChild(this.view);
    this.show('idle', [node('span', 'kps-tag', 'Stand-in player · kproducer sandbox')]);
  }

  Player.prototype.show = function (state, children) {
    this.view.setAttribute('data-state', state);
    this.view.textContent = '';
    var self = this;
    children.forEach(function (child) { self.view.appendChild(child); });
  };

  Player.prototype.loadMedia = function (mediaInfo) {
    var self = this;
    mediaInfo = mediaInfo || {};
    var ks = mediaInfo.ks || self.provider.ks || '';
    self.entryId = String(mediaInfo.entryId || '');
    standin.player = { state: 'verifying', entryId: self.entryId };
    self.show('verifying', [
      node('span', 'kps-tag', 'Stand-in player · kproducer sandbox'),
      node('p', '', 'Checking the Kaltura session (KS) of ' + self.entryId + '…')
    ]);
    return self.verify(ks).then(function (result) {
      standin.player = Object.assign({ state: result.ok ? 'ready' : 'rejected' }, result);
      if (!result.ok) {
        self.show('rejected', [
          node('span', 'kps-tag', 'Stand-in player · kproducer sandbox'),
          node('h2', '', 'This video cannot play'),
          node('div', 'kps-rejected', 'rejected: ' + result.reason)
        ]);
        throw new Error('rejected: ' + result.reason);
      }
      self.render(result);
      self.pollLive(ks);
      return result;
    });
  };

  Player.prototype.verify = function (ks) {
    return fetch(origin + '/_standin/verify/ks', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        ks: ks, entryId: this.entryId, partnerId: Number(this.provider.partnerId)
      })
    }).then(function (response) {
      return response.json();
    });
  };

  Player.prototype.pollLive = function (ks) {
    var self = this;
    clearTimeout(self.liveTimer);
    if (standin.player.live === null || standin.player.live === undefined) { return; }
    self.liveTimer = setTimeout(function () {
      self.verify(ks).then(function (result) {
        if (!result.ok || !self.view.parentNode) { return; }
        if (result.live !== standin.player.live) {
          standin.player = Object.assign({ state: 'ready' }, result);
          self.render(result);
        }
        self.pollLive(ks);
      }).catch(function () { self.pollLive(ks); });
    }, LIVE_POLL_MS);
  };

  Player.prototype.render = function (result) {
    var title = node('h2');
    title.appendChild(node('span', 'kps-play', '\u25B6'));
    title.appendChild(document.createTextNode(result.entryName || result.entryId));
    var facts = node('dl', 'kps-facts');
    function fact(label, value, className) {
      facts.appendChild(node('dt', '', label));
      facts.appendChild(node('dd', className || '', value));
    }
    fact('Entry', result.entryName + ' (' + result.entryId + ')');
    if (result.live === true || result.live === false) {
      var badge = node('span', 'kps-live', result.live ? 'live' : 'offline');
      badge.setAttribute('data-live', String(result.live));
      facts.appendChild(node('dt', '', 'Broadcast'));
      var cell = node('dd');
      cell.appendChild(badge);
      facts.appendChild(cell);
      this.view.setAttribute('data-live', String(result.live));
    }
    fact('Watching as', (result.userName ? result.userName + ' ' : '') +
      '(' + (result.userId || 'anonymous') + ')');
    fact('Role', result.playbackOnly
      ? 'viewer — playback only (PLAYBACK_BASE_ROLE); the chat panel shows attendee or moderator'
      : 'viewer');
    fact('KS expires', result.expiryText + ' (' + remaining(result.expiry - result.now) + ')');
    fact('Session', result.sessionType + ' KS · ' + result.privileges);
    (result.warnings || []).forEach(function (warning) { fact('Warning', warning, 'kps-warn'); });
    this.show('ready', [
      node('span', 'kps-tag', 'Stand-in player · kproducer sandbox · no video'),
      title, facts
    ]);
  };

  Player.prototype.destroy = function () {
    clearTimeout(this.liveTimer);
    if (this.view.parentNode) { this.view.parentNode.removeChild(this.view); }
    delete players[this.targetId];
  };

  injectStyle();
  window.KalturaPlayer = {
    VERSION: 'kproducer-standin',
    setup: function (config) {
      var player = new Player(config);
      players[player.targetId] = player;
      return player;
    },
    getPlayers: function () { return Object.assign({}, players); },
    getPlayer: function (targetId) { return players[targetId] || null; }
  };
})();
