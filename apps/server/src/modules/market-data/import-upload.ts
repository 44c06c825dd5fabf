/**
 * Reading a price-import upload: the multipart body streamed part by part,
 * each file counted as it arrives, so a file over IMPORT_MAX_FILE_MB, an
 * upload over IMPORT_MAX_REQUEST_MB or one file more than IMPORT_MAX_FILES is
 * refused (413, naming the limit and the file) as soon as it passes the limit,
 * never buffered whole first.
 */
import type { FastifyRequest } from 'fastify';
import { IMPORT_LIMIT_ENV, type ImportLimits } from '../../config/index.js';
import { AppError, badRequest } from '../../http/errors.js';
import type { ImportFile } from './import-service.js';

const MIB = 1024 * 1024;
const FIELDS = ['format', 'market', 'location', 'run', 'scope'] as const;

export interface ImportUpload {
  files: ImportFile[];
  fields: Partial<Record<(typeof FIELDS)[number], string>>;
}

function tooLarge(code: string, message: string, file: string, env: string, value: number): AppError {
  return new AppError(413, code, message, [{ file, limit: env, value }]);
}

export async function readImportUpload(req: FastifyRequest, limits: ImportLimits): Promise<ImportUpload> {
  if (!req.isMultipart()) throw badRequest('send the files as multipart/form-data');
  const files: ImportFile[] = [];
  const fields: ImportUpload['fields'] = {};
  let total = 0;
  // busboy's own caps sit one past ours, so our counting (and our messages) answer first.
  const parts = req.parts({ limits: { fileSize: limits.maxFileBytes + 1, files: limits.maxFiles + 1, fields: 20, fieldSize: 1024 } });
  for await (const part of parts) {
    if (part.type !== 'file') {
      if (!(FIELDS as readonly string[]).includes(part.fieldname)) throw badRequest(`unknown field "${part.fieldname}"; send files and optionally ${FIELDS.join(', ')}`);
      fields[part.fieldname as (typeof FIELDS)[number]] = String(part.value);
      continue;
    }
    const name = part.filename || 'upload';
    if (files.length >= limits.maxFiles) {
      throw tooLarge('too_many_files', `at most ${limits.maxFiles} files per import (${IMPORT_LIMIT_ENV.maxFiles}=${limits.maxFiles}); ${name} is one more`, name, IMPORT_LIMIT_ENV.maxFiles, limits.maxFiles);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of part.file as AsyncIterable<Buffer>) {
      size += chunk.length;
      total += chunk.length;
      if (size > limits.maxFileBytes) {
        const mb = limits.maxFileBytes / MIB;
        throw tooLarge('file_too_large', `${name} is larger than ${mb} MiB, the most one imported file may be (${IMPORT_LIMIT_ENV.maxFileBytes}=${mb})`, name, IMPORT_LIMIT_ENV.maxFileBytes, mb);
      }
      if (total > limits.maxRequestBytes) {
        const mb = limits.maxRequestBytes / MIB;
        throw tooLarge('request_too_large', `the upload is larger than ${mb} MiB, the most one import may carry (${IMPORT_LIMIT_ENV.maxRequestBytes}=${mb}), at ${name}`, name, IMPORT_LIMIT_ENV.maxRequestBytes, mb);
      }
      chunks.push(chunk);
    }
    // A new buffer the array owns whole, so it moves to the parsing worker without a copy.
    const data = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      data.set(c, at);
      at += c.length;
    }
    files.push({ name, data });
  }
  if (files.length === 0) throw badRequest('no file in the upload');
  return { files, fields };
}
