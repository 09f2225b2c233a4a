// Scaffold; replaced by the real widget.
console.info('Parley widget');
