using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace LossLandscape.Runs;

/// <summary>
/// The safetensors format: an 8-byte little-endian header length, a JSON header mapping each tensor name to
/// its dtype, shape and byte range (plus an optional "__metadata__" map of strings to strings), then the raw
/// little-endian data. Each tensor keeps its own dtype (BatchNorm's counters stay int64), so a PyTorch user
/// can load our checkpoints with safetensors.torch.load_file.
/// </summary>
public static class Safetensors
{
    const string MetadataKey = "__metadata__";

    static readonly Dictionary<ScalarType, string> dtypeNames = new()
    {
        [ScalarType.Float32] = "F32", [ScalarType.Float64] = "F64", [ScalarType.Float16] = "F16",
        [ScalarType.BFloat16] = "BF16", [ScalarType.Int64] = "I64", [ScalarType.Int32] = "I32",
        [ScalarType.Int16] = "I16", [ScalarType.Int8] = "I8", [ScalarType.Byte] = "U8", [ScalarType.Bool] = "BOOL",
    };

    /// <summary>Writes the tensors (in the given order) and metadata atomically to <paramref name="path"/>.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var items = tensors.Select(kv => (kv.Key, Tensor: kv.Value.detach().cpu().contiguous())).ToList();
        try
        {
            var header = new JsonObject();
            if (metadata is { Count: > 0 })
                header[MetadataKey] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
            long offset = 0;
            foreach (var (name, t) in items)
            {
                if (!dtypeNames.TryGetValue(t.dtype, out var dtype))
                    throw new NotSupportedException($"safetensors: dtype {t.dtype} of '{name}' is not supported");
                long bytes = t.numel() * t.ElementSize;
                header[name] = new JsonObject
                {
                    ["dtype"] = dtype,
                    ["shape"] = new JsonArray(t.shape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
                    ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(offset + bytes)),
                };
                offset += bytes;
            }
            var json = Encoding.UTF8.GetBytes(header.ToJsonString());
            int padded = (json.Length + 7) / 8 * 8; // data starts 8-byte aligned, as the reference writer does
            var headerBytes = new byte[8 + padded];
            BinaryPrimitives.WriteUInt64LittleEndian(headerBytes, (ulong)padded);
            json.CopyTo(headerBytes, 8);
            headerBytes.AsSpan(8 + json.Length).Fill((byte)' ');
            AtomicFile.Write(path, stream =>
            {
                stream.Write(headerBytes);
                foreach (var (_, t) in items)
                    if (t.numel() > 0) stream.Write(t.bytes);
            });
        }
        finally
        {
            foreach (var (_, t) in items) t.Dispose();
        }
    }

    /// <summary>Reads every tensor (in file order) and the metadata. Malformed files raise <see cref="DataFormatException"/>.</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Load(string path)
    {
        if (!File.Exists(path)) throw new LandscapeException($"{path}: no such checkpoint file");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new DataFormatException(path, "not a safetensors file: shorter than its 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8))
            throw new DataFormatException(path, $"not a safetensors file: header length {headerLength} exceeds the file ({bytes.Length} bytes)");
        JsonObject header;
        try
        {
            header = JsonNode.Parse(bytes.AsSpan(8, (int)headerLength))?.AsObject()
                ?? throw new DataFormatException(path, "safetensors header is empty");
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, $"safetensors header is not valid JSON ({e.Message})");
        }
        long dataStart = 8 + (long)headerLength;
        var metadata = new Dictionary<string, string>();
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == MetadataKey)
                {
                    foreach (var (k, v) in node!.AsObject()) metadata[k] = v!.GetValue<string>();
                    continue;
                }
                var entry = node!.AsObject();
                string dtypeName = entry["dtype"]!.GetValue<string>();
                var dtype = dtypeNames.FirstOrDefault(kv => kv.Value == dtypeName).Key;
                if (!dtypeNames.ContainsValue(dtypeName)) throw new DataFormatException(path, $"tensor '{name}' has unsupported dtype {dtypeName}");
                long[] shape = entry["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                var offsets = entry["data_offsets"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                long begin = dataStart + offsets[0], end = dataStart + offsets[1];
                var t = empty(shape, dtype);
                long expected = t.numel() * t.ElementSize;
                if (end - begin != expected || end > bytes.Length || begin < dataStart)
                {
                    t.Dispose();
                    throw new DataFormatException(path, $"tensor '{name}' needs {expected} bytes at [{offsets[0]}, {offsets[1]}) but the file has {bytes.Length - dataStart} bytes of data");
                }
                if (expected > 0) t.bytes = bytes.AsSpan((int)begin, (int)expected);
                tensors[name] = t;
            }
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException)
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw new DataFormatException(path, $"malformed safetensors header ({e.Message})");
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return (tensors, metadata);
    }
}
