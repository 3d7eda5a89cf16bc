// Stand-in for @tensorflow/tfjs-node 4.22.0's dist/index.js, which cannot install offline (it
// downloads libtensorflow). What the real entry does, less its native parts: it re-exports the
// @tensorflow/tfjs union package and registers the file:// model save/load router (io/ is copied
// unchanged from the published package). Not done here: the native 'tensorflow' backend (tfjs
// runs on its CPU backend instead) and the ProgbarLogger printed at verbosity 1 (it needs the
// `progress` package).
'use strict';
const tf = require('@tensorflow/tfjs');
const { nodeFileSystemRouter } = require('./io/file_system');

tf.io.registerLoadRouter(nodeFileSystemRouter);
tf.io.registerSaveRouter(nodeFileSystemRouter);

module.exports = tf;
