# The prediction service image (serve.mlci.yaml): the server, the feature
# code and the trained model, so the image mlci probes is the image
# `mlci deliver` pushes. The build context is the example folder, narrowed by
# .dockerignore to src/ and models/.
FROM python:3.12-slim
COPY src/features.py src/serve.py /app/
COPY models/model.json /app/models/model.json
WORKDIR /app
ENV MODEL=/app/models/model.json PORT=8000
EXPOSE 8000
CMD ["python", "/app/serve.py"]
