# plasticd in a container: `docker build -t plasticd:0.1.0 .`, then e.g.
#   docker run plasticd:0.1.0 worker --queue redis://redis:6379 --metrics-host 0.0.0.0
#   docker run -p 8420:8420 plasticd:0.1.0 serve --host 0.0.0.0 --token "$TOKEN" --queue redis://redis:6379
# (deploy/kubernetes/ runs the workers this way). The optional native addon (OpenBLAS matmuls and the C
# library's sin/cos/pow for Gymnasium-identical classic control) is built into the image.
FROM node:20-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends libopenblas-dev python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/plasticd
COPY package.json package-lock.json ./
RUN npm ci --no-fund --no-audit
COPY . .
RUN npm run build:native
ENV NODE_ENV=production
ENTRYPOINT ["node", "--import", "tsx", "src/cli.ts"]
CMD ["serve", "--host", "0.0.0.0"]
