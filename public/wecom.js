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

  // The app never reloads between pages: it replaces the URL (src/components/back_stack.rs).
  // WeCom checks a signature against the landing URL on iOS but the current URL on Android, so
  // on Android the page is signed again whenever its URL changed since the last wx.config.
  var ios = /iPhone|iPad|iPod/.test(navigator.userAgent);
  var landing = location.href.split('#')[0];
  var signed = null;
  var signing = null;

  function pageUrl() {
    return ios ? landing : location.href.split('#')[0];
  }

  // wx.config, then wx.agentConfig (which the open-data elements need), for the page's URL now.
  function configure() {
    var url = pageUrl();
    if (signed === url) return Promise.resolve();
    if (signing && signing.url === url) return signing.done;
    var done = fetch('/api/wecom/jssdk?url=' + encodeURIComponent(url), { credentials: 'same-origin' })
      .then(function (r) {
        return r.ok ? r.json() : Promise.reject(new Error('jssdk ' + r.status));
      })
      .then(function (c) {
        return new Promise(function (resolve, reject) {
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
                signed = url;
                resolve();
              },
              fail: reject,
            });
          });
          window.wx.error(reject);
        });
      });
    signing = { url: url, done: done };
    return done;
  }

  function bindNames() {
    var nodes = document.querySelectorAll('ww-open-data:not([data-bound])');
    if (!nodes.length || !window.WWOpenData) return;
    configure()
      .then(function () {
        var fresh = document.querySelectorAll('ww-open-data:not([data-bound])');
        for (var i = 0; i < fresh.length; i++) fresh[i].setAttribute('data-bound', '');
        if (fresh.length) window.WWOpenData.bindAll(fresh);
      })
      .catch(function () {
        // Not signed for this URL: names stay as the masked ids.
      });
  }

  Promise.all(SDKS.map(load))
    .then(configure)
    .then(function () {
      bindNames();
      new MutationObserver(bindNames).observe(document.body, { childList: true, subtree: true });
    })
    .catch(function () {
      // No SDK (not a real WeCom client, or offline): names stay as the masked ids.
    });
})();
