// An S3-protocol server on loopback that checks what moto does not: the
// SigV4 signature of every request, presigned links' included, and their
// expiry. Its one account is the package's built-in S3RVER / S3RVER key pair.
//   node serve.js <port> <data folder>
const S3rver = require('@20minutes/s3rver')

const [port, directory] = process.argv.slice(2)
new S3rver({ address: '127.0.0.1', port: Number(port), directory, silent: true })
  .run()
  .then(() => console.log(`listening on 127.0.0.1:${port}`))
