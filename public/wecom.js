// Loaded by the app only inside WeCom (the user agent says "wxwork") and only in real mode:
// WeCom's JS-SDK, this page's wx.config / wx.agentConfig signatures from the server, then the
// open-data elements, which show members' names that a third-party app is never told.
// Outside a real WeCom client the SDK cannot load or configure; the page keeps the masked ids.
(function () {
  'use strict';
  var SDKS = [
    'https://res.wx.qq.com/open/js/jweixin-1.2.0.js',
    'https://open.work.weixin.qq.com/wwopen/js/jwxwork-1.0.0.js',
  ];

  function load(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement('script');
      s.src = src;
      s.onload = resolve;
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  function bindNames() {
    var nodes = document.querySelectorAll('ww-open-data:not([data-bound])');
    if (!nodes.length || !window.WWOpenData) return;
    for (var i = 0; i < nodes.length; i++) nodes[i].setAttribute('data-bound', '');
    window.WWOpenData.bindAll(nodes);
  }

  // The signature is for the page's URL without its fragment, as it was when configured.
  var url = location.href.split('#')[0];
  Promise.all(SDKS.map(load))
    .then(function () {
      return fetch('/api/wecom/jssdk?url=' + encodeURIComponent(url), { credentials: 'same-origin' });
    })
    .then(function (r) {
      return r.ok ? r.json() : Promise.reject(new Error('jssdk ' + r.status));
    })
    .then(function (c) {
      window.wx.config({
        beta: true,
        debug: false,
        appId: c.corp.appId,
        timestamp: c.corp.timestamp,
        nonceStr: c.corp.nonceStr,
        signature: c.corp.signature,
        jsApiList: [],
      });
      window.wx.ready(function () {
        window.wx.agentConfig({
          corpid: c.agent.corpid,
          agentid: c.agent.agentid,
          timestamp: c.agent.timestamp,
          nonceStr: c.agent.nonceStr,
          signature: c.agent.signature,
          jsApiList: [],
          success: function () {
            bindNames();
            new MutationObserver(bindNames).observe(document.body, { childList: true, subtree: true });
          },
        });
      });
    })
    .catch(function () {
      // No SDK (not a real WeCom client, or offline): names stay as the masked ids.
    });
})();
