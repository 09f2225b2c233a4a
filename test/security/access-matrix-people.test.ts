import { defineMatrix } from './cells.js';
import { PARTS, TABLE } from './matrix.js';

// The access matrix (see matrix.ts and access-matrix.test.ts), second half: the customer and agent APIs,
// uploads and the live stream, each cell against a server of this file's own.

defineMatrix(TABLE.filter(PARTS.people));
